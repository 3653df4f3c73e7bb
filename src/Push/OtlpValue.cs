using System.Globalization;
using System.Text;
using Orleans.Loki.Model;
using Orleans.Loki.Push.Otlp;

namespace Orleans.Loki.Push;

/// <summary>OTLP AnyValue conversions with the exact text the OpenTelemetry Go pdata library produces.</summary>
internal static class OtlpValue
{
    /// <summary>
    /// Appends an attribute as label pairs: scalars as one pair, maps flattened into
    /// <c>parent_child</c> pairs (recursively), names normalised like Prometheus' OTLP translator.
    /// </summary>
    public static void Flatten(string key, AnyValue? value, string prefix, List<KeyValuePair<string, string>> target)
    {
        var name = NormalizeLabel(prefix.Length == 0 ? key : prefix + "_" + key);
        if (value is { ValueCase: AnyValue.ValueOneofCase.KvlistValue })
        {
            foreach (var child in value.KvlistValue.Values)
            {
                Flatten(child.Key, child.Value, name, target);
            }

            return;
        }

        target.Add(new KeyValuePair<string, string>(name, AsString(value)));
    }

    /// <summary>
    /// Prometheus' <c>NormalizeLabel</c>: every character outside <c>[a-zA-Z0-9_]</c> becomes '_', a leading
    /// digit gets a <c>key_</c> prefix and a single leading underscore a <c>key</c> prefix.
    /// </summary>
    public static string NormalizeLabel(string label)
    {
        if (label.Length == 0 || IsNormalized(label))
        {
            return label;
        }

        var builder = new StringBuilder(label.Length + 4);
        var index = 0;
        while (index < label.Length)
        {
            var c = label[index];
            var valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';
            builder.Append(valid ? c : '_');

            // One replacement per rune, not per UTF-16 unit.
            index += char.IsHighSurrogate(c) && index + 1 < label.Length && char.IsLowSurrogate(label[index + 1]) ? 2 : 1;
        }

        var normalized = builder.ToString();
        if (char.IsAsciiDigit(normalized[0]))
        {
            return "key_" + normalized;
        }

        if (normalized[0] == '_' && !normalized.StartsWith("__", StringComparison.Ordinal))
        {
            return "key" + normalized;
        }

        return normalized;
    }

    /// <summary>True when <see cref="NormalizeLabel"/> would return the name unchanged (the common case, without allocating).</summary>
    private static bool IsNormalized(string label)
    {
        foreach (var c in label)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return !char.IsAsciiDigit(label[0]) && (label[0] != '_' || label.StartsWith("__", StringComparison.Ordinal));
    }

    /// <summary>pdata's <c>Value.AsString()</c>: strings as they are, scalars in Go's formatting, maps and arrays as JSON.</summary>
    public static string AsString(AnyValue? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return double.IsFinite(value.DoubleValue)
                    ? GoFloat.FormatJson(value.DoubleValue)
                    : "json: unsupported value: " + GoFloat.FormatNonFinite(value.DoubleValue);
            case AnyValue.ValueOneofCase.BytesValue:
                return Convert.ToBase64String(value.BytesValue.Span);
            case AnyValue.ValueOneofCase.ArrayValue:
            case AnyValue.ValueOneofCase.KvlistValue:
                var builder = new StringBuilder();
                AppendJson(builder, value);
                return builder.ToString();
            default:
                return string.Empty;
        }
    }

    /// <summary>Go's encoding/json rendering of pdata's raw value: object keys sorted, HTML-safe escapes.</summary>
    private static void AppendJson(StringBuilder builder, AnyValue? value)
    {
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.StringValue:
                AppendJsonString(builder, value!.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                builder.Append(value!.BoolValue ? "true" : "false");
                break;
            case AnyValue.ValueOneofCase.IntValue:
                builder.Append(value!.IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                // encoding/json cannot encode NaN or infinities; null keeps the document valid.
                builder.Append(double.IsFinite(value!.DoubleValue) ? GoFloat.FormatJson(value.DoubleValue) : "null");
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                builder.Append('"').Append(Convert.ToBase64String(value!.BytesValue.Span)).Append('"');
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                builder.Append('[');
                var first = true;
                foreach (var item in value!.ArrayValue.Values)
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    AppendJson(builder, item);
                }

                builder.Append(']');
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                // Go maps: a repeated key keeps the last value; keys are written sorted.
                var map = new SortedDictionary<string, AnyValue?>(StringComparer.Ordinal);
                foreach (var pair in value!.KvlistValue.Values)
                {
                    map[pair.Key] = pair.Value;
                }

                builder.Append('{');
                var firstPair = true;
                foreach (var (key, item) in map)
                {
                    if (!firstPair)
                    {
                        builder.Append(',');
                    }

                    firstPair = false;
                    AppendJsonString(builder, key);
                    builder.Append(':');
                    AppendJson(builder, item);
                }

                builder.Append('}');
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    private static void AppendJsonString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
