using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Push;

/// <summary>
/// Finds the value for <c>detected_level</c> the way Loki's distributor does (field_detection.go):
/// a level label, else level structured metadata, else OTLP <c>severity_number</c>, else a level field
/// in a JSON or logfmt line, else keywords in the line, else <c>unknown</c>.
/// </summary>
internal sealed class LevelDetector
{
    public const string DetectedLevel = "detected_level";
    public const string Unknown = "unknown";

    /// <summary>Field names longer than this (in UTF-8) never match a logfmt key.</summary>
    private const int MaxLogfmtFieldBytes = 64;

    // An array, not the IReadOnlyList it came as: every foreach over an interface allocates an enumerator, and these
    // loops run for every entry of every push.
    private readonly string[] _fields;

    /// <summary>UTF-8 of <see cref="_fields"/>, encoded once rather than for every key of every line; null when too long.</summary>
    private readonly byte[]?[] _fieldBytes;
    private readonly int _jsonMaxDepth;

    /// <summary>The label array of the last <see cref="Detect"/> call and what the level fields found in it.</summary>
    private KeyValuePair<string, string>[]? _labels;
    private bool _labelFound;
    private string _labelLevel = string.Empty;

    /// <summary>Bit n is set when some level field is n (mod 64) bytes long: most keys are rejected by their length alone.</summary>
    private readonly ulong _fieldLengths;


    public LevelDetector(IReadOnlyList<string> fields, int jsonMaxDepth)
    {
        _fields = [.. fields];
        _fieldBytes = [.. fields.Select(f => Encoding.UTF8.GetByteCount(f) <= MaxLogfmtFieldBytes ? Encoding.UTF8.GetBytes(f) : null)];
        _jsonMaxDepth = jsonMaxDepth;
        foreach (var bytes in _fieldBytes)
        {
            if (bytes is not null)
            {
                _fieldLengths |= 1UL << (bytes.Length & 63);
            }
        }
    }

    /// <summary>The level to record, or null when the source value is empty (then nothing is added).</summary>
    /// <remarks>Not thread-safe: the label lookup is remembered for the last label array (every entry of a stream passes the same one).</remarks>
    public string? Detect(KeyValuePair<string, string>[] labels, KeyValuePair<string, string>[]? metadata, ReadOnlySpan<byte> line)
    {
        if (!ReferenceEquals(labels, _labels))
        {
            _labelFound = TryFind(labels, out _labelLevel);
            _labels = labels;
        }
        if (_labelFound)
        {
            return _labelLevel.Length == 0 ? null : _labelLevel;
        }

        if (metadata is not null && TryFind(metadata, out var fromMetadata))
        {
            return fromMetadata.Length == 0 ? null : fromMetadata;
        }

        if (metadata is not null)
        {
            foreach (var pair in metadata)
            {
                if (pair.Key == "severity_number" && pair.Value.Length > 0)
                {
                    return FromSeverityNumber(pair.Value);
                }
            }
        }

        return FromLine(line);
    }

    private bool TryFind(KeyValuePair<string, string>[] pairs, out string value)
    {
        foreach (var field in _fields)
        {
            foreach (var pair in pairs)
            {
                if (pair.Key == field)
                {
                    value = pair.Value;
                    return true;
                }
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>OpenTelemetry severity ranges: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal.</summary>
    private static string FromSeverityNumber(string text)
    {
        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return "info";
        }

        return number switch
        {
            0 => Unknown,
            <= 4 and > 0 => "trace",
            <= 8 and > 0 => "debug",
            <= 12 and > 0 => "info",
            <= 16 and > 0 => "warn",
            <= 20 and > 0 => "error",
            <= 24 and > 0 => "fatal",
            _ => Unknown,
        };
    }

    private string FromLine(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> value;
        if (LooksLikeJson(line))
        {
            value = JsonLevel(line);
        }
        else if (line.IndexOf((byte)'=') >= 0)
        {
            value = LogfmtLevel(line);
        }
        else
        {
            return FromKeywords(line);
        }

        if (EqualsIgnoreCase(value, "trace"u8) || EqualsIgnoreCase(value, "trc"u8))
        {
            return "trace";
        }

        if (EqualsIgnoreCase(value, "debug"u8) || EqualsIgnoreCase(value, "dbg"u8))
        {
            return "debug";
        }

        if (EqualsIgnoreCase(value, "info"u8) || EqualsIgnoreCase(value, "inf"u8))
        {
            return "info";
        }

        if (EqualsIgnoreCase(value, "warn"u8) || EqualsIgnoreCase(value, "wrn"u8) || EqualsIgnoreCase(value, "warning"u8))
        {
            return "warn";
        }

        if (EqualsIgnoreCase(value, "error"u8) || EqualsIgnoreCase(value, "err"u8))
        {
            return "error";
        }

        if (EqualsIgnoreCase(value, "critical"u8))
        {
            return "critical";
        }

        if (EqualsIgnoreCase(value, "fatal"u8))
        {
            return "fatal";
        }

        return FromKeywords(line);
    }

    /// <summary>Loki's last resort: case-sensitive keywords anywhere in the line, in this order.</summary>
    private static string FromKeywords(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf("info"u8) >= 0 || line.IndexOf("INFO"u8) >= 0)
        {
            return "info";
        }

        // "err"/"ERR" also cover "error"/"ERROR".
        if (line.IndexOf("err"u8) >= 0 || line.IndexOf("ERR"u8) >= 0)
        {
            return "error";
        }

        if (line.IndexOf("warn"u8) >= 0 || line.IndexOf("WARN"u8) >= 0)
        {
            return "warn";
        }

        if (line.IndexOf("CRITICAL"u8) >= 0 || line.IndexOf("critical"u8) >= 0)
        {
            return "critical";
        }

        if (line.IndexOf("debug"u8) >= 0 || line.IndexOf("DEBUG"u8) >= 0)
        {
            return "debug";
        }

        return Unknown;
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> line)
    {
        var trimmed = line.Trim(" \t\r\n\v\f"u8);
        return trimmed.Length >= 2 && trimmed[0] == '{' && trimmed[^1] == '}';
    }

    /// <summary>The first string value whose key is a level field, searching nested objects up to the depth limit.</summary>
    private ReadOnlySpan<byte> JsonLevel(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            // Object nesting as Loki counts it: the top-level object is depth 0.
            var depth = -1;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        if (_jsonMaxDepth > 0 && depth >= _jsonMaxDepth)
                        {
                            reader.Skip();
                            depth--;
                        }

                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        break;
                    case JsonTokenType.StartArray:
                        // Loki walks objects only; arrays are not searched.
                        reader.Skip();
                        break;
                    case JsonTokenType.PropertyName:
                        var isLevel = IsLevelField(ref reader);
                        if (!reader.Read())
                        {
                            return default;
                        }

                        if (isLevel && reader.TokenType == JsonTokenType.String)
                        {
                            return reader.ValueSpan;
                        }

                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            depth++;
                            if (_jsonMaxDepth > 0 && depth >= _jsonMaxDepth)
                            {
                                reader.Skip();
                                depth--;
                            }
                        }
                        else if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            reader.Skip();
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: no level field.
        }

        return default;
    }

    private bool IsLevelField(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _fields.Length; i++)
        {
            if (_fieldBytes[i] is { } utf8 ? reader.ValueTextEquals(utf8) : reader.ValueTextEquals(_fields[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Scans <c>key=value</c> pairs; keys match the level fields ignoring case, earlier fields win.</summary>
    private ReadOnlySpan<byte> LogfmtLevel(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> result = default;
        var best = _fields.Length;
        var pos = 0;
        while (pos < line.Length)
        {
            while (pos < line.Length && line[pos] <= ' ')
            {
                pos++;
            }

            var keyStart = pos;
            while (pos < line.Length && line[pos] > ' ' && line[pos] != '=' && line[pos] != '"')
            {
                pos++;
            }

            var key = line[keyStart..pos];
            ReadOnlySpan<byte> value = default;
            if (pos < line.Length && line[pos] == '=')
            {
                pos++;
                if (pos < line.Length && line[pos] == '"')
                {
                    var start = ++pos;
                    while (pos < line.Length && line[pos] != '"')
                    {
                        pos += line[pos] == '\\' ? 2 : 1;
                    }

                    value = line[start..Math.Min(pos, line.Length)];
                    pos++;
                }
                else
                {
                    var start = pos;
                    while (pos < line.Length && line[pos] > ' ')
                    {
                        pos++;
                    }

                    value = line[start..pos];
                }
            }
            else if (key.IsEmpty)
            {
                pos++;
                continue;
            }

            if (key.Length > MaxLogfmtFieldBytes || (_fieldLengths & (1UL << (key.Length & 63))) == 0)
            {
                continue;
            }

            for (var i = 0; i < best; i++)
            {
                if (_fieldBytes[i] is { } field && EqualsIgnoreCase(key, field))
                {
                    result = value;
                    best = i;
                    if (i == 0)
                    {
                        return result;
                    }

                    break;
                }
            }
        }

        return result;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> expected) =>
        Ascii.EqualsIgnoreCase(value, expected);
}
