using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;

namespace Orleans.Loki.Push;

/// <summary>Scalar readers and token helpers of the OTLP JSON reader.</summary>
internal static partial class OtlpJsonReader
{
    private static string ReadString(ref Utf8JsonReader reader, string what)
    {
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString() ?? string.Empty,
            JsonTokenType.Null => string.Empty,
            _ => throw new JsonException($"{what} must be a string"),
        };
    }

    private static ulong ReadUInt64(ref Utf8JsonReader reader, string what, ulong max)
    {
        ulong value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetUInt64(out value):
                break;
            case JsonTokenType.String when !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length:
                break;
            case JsonTokenType.Null:
                return 0;
            default:
                throw new JsonException($"{what} must be an unsigned integer (as a number or a decimal string)");
        }

        if (value > max)
        {
            throw new JsonException($"{what} {value} is out of range");
        }

        return value;
    }

    private static long ReadInt64(ref Utf8JsonReader reader, string what)
    {
        long value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out value):
                return value;
            case JsonTokenType.String when !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length:
                return value;
            case JsonTokenType.Null:
                return 0;
            default:
                throw new JsonException($"{what} must be a 64-bit integer (as a number or a decimal string)");
        }
    }

    private static double ReadDouble(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            // Proto3 JSON spells special values as strings.
            var text = reader.GetString();
            switch (text)
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        throw new JsonException("doubleValue must be a number");
    }

    private static int ReadSeverityNumber(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var name = reader.GetString() ?? string.Empty;
            var index = Array.IndexOf(SeverityNames, name);
            if (index >= 0)
            {
                return index;
            }
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        throw new JsonException("severityNumber must be an integer or a SeverityNumber name");
    }

    private static readonly string[] SeverityNames =
    [
        "SEVERITY_NUMBER_UNSPECIFIED",
        "SEVERITY_NUMBER_TRACE", "SEVERITY_NUMBER_TRACE2", "SEVERITY_NUMBER_TRACE3", "SEVERITY_NUMBER_TRACE4",
        "SEVERITY_NUMBER_DEBUG", "SEVERITY_NUMBER_DEBUG2", "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
        "SEVERITY_NUMBER_INFO", "SEVERITY_NUMBER_INFO2", "SEVERITY_NUMBER_INFO3", "SEVERITY_NUMBER_INFO4",
        "SEVERITY_NUMBER_WARN", "SEVERITY_NUMBER_WARN2", "SEVERITY_NUMBER_WARN3", "SEVERITY_NUMBER_WARN4",
        "SEVERITY_NUMBER_ERROR", "SEVERITY_NUMBER_ERROR2", "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
        "SEVERITY_NUMBER_FATAL", "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3", "SEVERITY_NUMBER_FATAL4",
    ];

    private static ByteString ReadHex(ref Utf8JsonReader reader, string what)
    {
        var text = ReadString(ref reader, what);
        if (text.Length == 0)
        {
            return ByteString.Empty;
        }

        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            throw new JsonException($"{what} must be a hex string");
        }
    }

    private static byte[] DecodeBase64(string text)
    {
        var buffer = new byte[((text.Length + 3) / 4) * 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            return buffer.AsSpan(0, written).ToArray();
        }

        throw new JsonException("bytesValue must be base64");
    }

    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> camel, ReadOnlySpan<byte> snake) =>
        reader.ValueTextEquals(camel) || reader.ValueTextEquals(snake);

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of data");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"{what} must be {(token == JsonTokenType.StartObject ? "an object" : "an array")}");
        }
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }
    }
}
