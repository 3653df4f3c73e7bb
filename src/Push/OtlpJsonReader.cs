using System.Text.Json;
using Google.Protobuf;
using Orleans.Loki.Push.Otlp;

namespace Orleans.Loki.Push;

/// <summary>
/// Reads the OTLP/HTTP JSON encoding of <c>ExportLogsServiceRequest</c> (lowerCamelCase or original
/// snake_case names; 64-bit integers as strings or numbers; trace and span ids as hex; bytes as base64;
/// severity as a number or enum name). Unknown fields are ignored. Structural problems surface as
/// <see cref="JsonException"/>, caught once in <see cref="TryRead"/>.
/// </summary>
internal static partial class OtlpJsonReader
{
    private const int MaxDepth = 64;

    public static bool TryRead(ReadOnlySpan<byte> body, out ExportLogsServiceRequest request, out string error)
    {
        request = new ExportLogsServiceRequest();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            Read(ref reader);
            Expect(ref reader, JsonTokenType.StartObject, "request");
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, "resourceLogs"u8, "resource_logs"u8))
                {
                    ReadArray(ref reader, request.ResourceLogs, ReadResourceLogs);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            if (reader.Read())
            {
                throw new JsonException("unexpected data after the top-level object");
            }

            error = string.Empty;
            return true;
        }
        catch (JsonException e)
        {
            error = $"invalid OTLP JSON request: {e.Message}";
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 or lone surrogate escapes.
            error = "invalid OTLP JSON request: a string contains invalid UTF-8 or a lone surrogate escape";
            return false;
        }
    }

    private delegate T ReadItem<T>(ref Utf8JsonReader reader);

    private static ResourceLogs ReadResourceLogs(ref Utf8JsonReader reader)
    {
        var result = new ResourceLogs();
        Expect(ref reader, JsonTokenType.StartObject, "resourceLogs item");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "resource"u8, "resource"u8))
            {
                result.Resource = ReadResource(ref reader);
            }
            else if (Is(ref reader, "scopeLogs"u8, "scope_logs"u8))
            {
                ReadArray(ref reader, result.ScopeLogs, ReadScopeLogs);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return result;
    }

    private static Resource? ReadResource(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject, "resource");
        var resource = new Resource();
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "attributes"u8, "attributes"u8))
            {
                ReadArray(ref reader, resource.Attributes, ReadKeyValue);
            }
            else if (Is(ref reader, "droppedAttributesCount"u8, "dropped_attributes_count"u8))
            {
                Read(ref reader);
                resource.DroppedAttributesCount = (uint)ReadUInt64(ref reader, "droppedAttributesCount", uint.MaxValue);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return resource;
    }

    private static ScopeLogs ReadScopeLogs(ref Utf8JsonReader reader)
    {
        var result = new ScopeLogs();
        Expect(ref reader, JsonTokenType.StartObject, "scopeLogs item");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "scope"u8, "scope"u8))
            {
                result.Scope = ReadScope(ref reader);
            }
            else if (Is(ref reader, "logRecords"u8, "log_records"u8))
            {
                ReadArray(ref reader, result.LogRecords, ReadLogRecord);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return result;
    }

    private static InstrumentationScope? ReadScope(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject, "scope");
        var scope = new InstrumentationScope();
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "name"u8, "name"u8))
            {
                scope.Name = ReadString(ref reader, "scope.name");
            }
            else if (Is(ref reader, "version"u8, "version"u8))
            {
                scope.Version = ReadString(ref reader, "scope.version");
            }
            else if (Is(ref reader, "attributes"u8, "attributes"u8))
            {
                ReadArray(ref reader, scope.Attributes, ReadKeyValue);
            }
            else if (Is(ref reader, "droppedAttributesCount"u8, "dropped_attributes_count"u8))
            {
                Read(ref reader);
                scope.DroppedAttributesCount = (uint)ReadUInt64(ref reader, "droppedAttributesCount", uint.MaxValue);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return scope;
    }

    private static LogRecord ReadLogRecord(ref Utf8JsonReader reader)
    {
        var record = new LogRecord();
        Expect(ref reader, JsonTokenType.StartObject, "logRecords item");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "timeUnixNano"u8, "time_unix_nano"u8))
            {
                Read(ref reader);
                record.TimeUnixNano = ReadUInt64(ref reader, "timeUnixNano", ulong.MaxValue);
            }
            else if (Is(ref reader, "observedTimeUnixNano"u8, "observed_time_unix_nano"u8))
            {
                Read(ref reader);
                record.ObservedTimeUnixNano = ReadUInt64(ref reader, "observedTimeUnixNano", ulong.MaxValue);
            }
            else if (Is(ref reader, "severityNumber"u8, "severity_number"u8))
            {
                Read(ref reader);
                record.SeverityNumber = ReadSeverityNumber(ref reader);
            }
            else if (Is(ref reader, "severityText"u8, "severity_text"u8))
            {
                record.SeverityText = ReadString(ref reader, "severityText");
            }
            else if (Is(ref reader, "body"u8, "body"u8))
            {
                Read(ref reader);
                record.Body = ReadAnyValue(ref reader);
            }
            else if (Is(ref reader, "attributes"u8, "attributes"u8))
            {
                ReadArray(ref reader, record.Attributes, ReadKeyValue);
            }
            else if (Is(ref reader, "droppedAttributesCount"u8, "dropped_attributes_count"u8))
            {
                Read(ref reader);
                record.DroppedAttributesCount = (uint)ReadUInt64(ref reader, "droppedAttributesCount", uint.MaxValue);
            }
            else if (Is(ref reader, "flags"u8, "flags"u8))
            {
                Read(ref reader);
                record.Flags = (uint)ReadUInt64(ref reader, "flags", uint.MaxValue);
            }
            else if (Is(ref reader, "traceId"u8, "trace_id"u8))
            {
                record.TraceId = ReadHex(ref reader, "traceId");
            }
            else if (Is(ref reader, "spanId"u8, "span_id"u8))
            {
                record.SpanId = ReadHex(ref reader, "spanId");
            }
            else if (Is(ref reader, "eventName"u8, "event_name"u8))
            {
                record.EventName = ReadString(ref reader, "eventName");
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return record;
    }

    private static KeyValue ReadKeyValue(ref Utf8JsonReader reader)
    {
        var pair = new KeyValue();
        Expect(ref reader, JsonTokenType.StartObject, "attribute");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "key"u8, "key"u8))
            {
                pair.Key = ReadString(ref reader, "attribute key");
            }
            else if (Is(ref reader, "value"u8, "value"u8))
            {
                Read(ref reader);
                pair.Value = ReadAnyValue(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return pair;
    }

    /// <summary>Reads an AnyValue object; the reader is on its first token.</summary>
    private static AnyValue? ReadAnyValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject, "AnyValue");
        var value = new AnyValue();
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "stringValue"u8, "string_value"u8))
            {
                value.StringValue = ReadString(ref reader, "stringValue");
            }
            else if (Is(ref reader, "boolValue"u8, "bool_value"u8))
            {
                Read(ref reader);
                value.BoolValue = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new JsonException("boolValue must be true or false"),
                };
            }
            else if (Is(ref reader, "intValue"u8, "int_value"u8))
            {
                Read(ref reader);
                value.IntValue = ReadInt64(ref reader, "intValue");
            }
            else if (Is(ref reader, "doubleValue"u8, "double_value"u8))
            {
                Read(ref reader);
                value.DoubleValue = ReadDouble(ref reader);
            }
            else if (Is(ref reader, "bytesValue"u8, "bytes_value"u8))
            {
                var text = ReadString(ref reader, "bytesValue");
                value.BytesValue = ByteString.CopyFrom(DecodeBase64(text));
            }
            else if (Is(ref reader, "arrayValue"u8, "array_value"u8))
            {
                var array = new ArrayValue();
                ReadValuesObject(ref reader, "arrayValue", array, static (ref Utf8JsonReader r, ArrayValue a) => ReadArray(ref r, a.Values, ReadAnyValueItem));
                value.ArrayValue = array;
            }
            else if (Is(ref reader, "kvlistValue"u8, "kvlist_value"u8))
            {
                var list = new KeyValueList();
                ReadValuesObject(ref reader, "kvlistValue", list, static (ref Utf8JsonReader r, KeyValueList l) => ReadArray(ref r, l.Values, ReadKeyValue));
                value.KvlistValue = list;
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return value;
    }

    private static AnyValue ReadAnyValueItem(ref Utf8JsonReader reader) => ReadAnyValue(ref reader) ?? new AnyValue();

    private delegate void ReadValues<T>(ref Utf8JsonReader reader, T target);

    /// <summary>Reads <c>{"values": [...]}</c>, the shape of both arrayValue and kvlistValue.</summary>
    private static void ReadValuesObject<T>(ref Utf8JsonReader reader, string what, T target, ReadValues<T> readValues)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartObject, what);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("values"u8))
            {
                readValues(ref reader, target);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    /// <summary>Reads a JSON array value (or null) whose items are read by <paramref name="readItem"/>.</summary>
    private static void ReadArray<T>(ref Utf8JsonReader reader, Google.Protobuf.Collections.RepeatedField<T> target, ReadItem<T> readItem)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartArray, "array");
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return;
            }

            target.Add(readItem(ref reader));
        }
    }
}
