using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.LogQL.Log;

/// <summary>JSON value rendering shared by the json, json-with-parameters and unpack parsers.</summary>
internal static class JsonText
{
    public const string NotAnObject = "Value looks like object, but can't find closing '}' symbol";
    public const string Malformed = "Malformed JSON error";

    public static string Describe(JsonException e) =>
        e.Message == "truncated" || e.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
            ? NotAnObject
            : Malformed;

    /// <summary>Raw UTF-8 of the current property name (unescaped when needed).</summary>
    public static ReadOnlySpan<byte> PropertyBytes(ref Utf8JsonReader reader, out byte[]? owner)
    {
        owner = null;
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        owner = new byte[reader.ValueSpan.Length];
        var n = reader.CopyString(owner);
        return owner.AsSpan(0, n);
    }

    /// <summary>A scalar as Loki renders it: strings unescaped (invalid UTF-8 gives ""), numbers verbatim, booleans as true/false.</summary>
    public static string ScalarValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return StringValue(ref reader);
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            default:
                return "";
        }
    }

    public static string StringValue(ref Utf8JsonReader reader)
    {
        string s;
        if (reader.ValueIsEscaped)
        {
            try
            {
                s = reader.GetString() ?? "";
            }
            catch (InvalidOperationException)
            {
                // escapes decoding to invalid UTF-16 (lone surrogates): Loki yields an empty value
                return "";
            }
        }
        else
        {
            s = Encoding.UTF8.GetString(reader.ValueSpan);
        }
        // the replacement rune is rejected by Prometheus label validation, so Loki drops such values
        return s.Contains('\uFFFD') ? "" : s;
    }

    public static string ElementValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => CleanString(e.GetString()),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => e.GetRawText(),
    };

    private static string CleanString(string? s) => s is null || s.Contains('\uFFFD') ? "" : s;

    public static string FormatInt(long v) => v.ToString(CultureInfo.InvariantCulture);
}
