using System.Text.Json;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>
/// Decodes Loki's JSON push body
/// <c>{"streams":[{"stream":{"a":"b"},"values":[["&lt;ns&gt;","line",{"meta":"v"}]]}]}</c>
/// with <see cref="Utf8JsonReader"/>, writing line bytes straight into one arena per request
/// (no string per line). Like Loki, timestamps must be strings, values and metadata must be strings,
/// and unknown fields are ignored.
/// </summary>
internal ref struct LokiJsonDecoder
{
    /// <summary>Nesting Loki's shape never needs more than 5 levels; anything deeper is only ever skipped.</summary>
    internal const int MaxDepth = 64;

    private Utf8JsonReader _reader;
    private readonly byte[] _arena;
    private int _arenaUsed;
    private string? _error;

    /// <summary>
    /// Entries of the stream being read. Reused for every stream of the request and copied out at the exact
    /// size, so a stream of thousands of lines costs one list instead of a chain of doublings (the larger of
    /// which land on the large object heap).
    /// </summary>
    private readonly List<PushEntry> _scratch;

    private LokiJsonDecoder(ReadOnlySpan<byte> body)
    {
        _reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });

        // Unescaped strings are never longer than their JSON text, so the body length bounds all lines.
        _arena = new byte[body.Length];
        _arenaUsed = 0;
        _error = null;
        _scratch = [];
    }

    public static PushDecodeResult Decode(ReadOnlySpan<byte> body)
    {
        var decoder = new LokiJsonDecoder(body);
        try
        {
            var streams = decoder.ReadRequest();
            return streams is null ? PushDecodeResult.BadRequest(decoder._error ?? LokiErrors.InvalidPushRequest) : PushDecodeResult.Ok(streams);
        }
        catch (JsonException e)
        {
            return PushDecodeResult.BadRequest(LokiErrors.InvalidJsonPushRequest(e.Message));
        }
    }

    private List<PushStream>? ReadRequest()
    {
        if (!_reader.Read() || _reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail("invalid JSON push request: expected an object with \"streams\"");
        }

        var streams = new List<PushStream>();
        while (Next() == JsonTokenType.PropertyName)
        {
            if (!_reader.ValueTextEquals("streams"u8))
            {
                SkipValue();
                continue;
            }

            var token = Next();
            if (token == JsonTokenType.Null)
            {
                continue;
            }

            if (token != JsonTokenType.StartArray)
            {
                return Fail("invalid JSON push request: \"streams\" must be an array");
            }

            while (Next() != JsonTokenType.EndArray)
            {
                var stream = ReadStream();
                if (stream is null)
                {
                    return null;
                }

                streams.Add(stream);
            }
        }

        if (_reader.Read())
        {
            return Fail("invalid JSON push request: unexpected data after the top-level object");
        }

        return streams;
    }

    private PushStream? ReadStream()
    {
        if (_reader.TokenType != JsonTokenType.StartObject)
        {
            return FailNull<PushStream>("invalid JSON push request: each stream must be an object");
        }

        KeyValuePair<string, string>[] labels = [];
        var entries = _scratch;
        entries.Clear();
        while (Next() == JsonTokenType.PropertyName)
        {
            if (_reader.ValueTextEquals("stream"u8))
            {
                Next();
                var pairs = ReadStringMap("stream");
                if (pairs is null)
                {
                    return null;
                }

                labels = pairs;
            }
            else if (_reader.ValueTextEquals("values"u8))
            {
                var token = Next();
                if (token == JsonTokenType.Null)
                {
                    continue;
                }

                if (token != JsonTokenType.StartArray)
                {
                    return FailNull<PushStream>("invalid JSON push request: \"values\" must be an array");
                }

                while (Next() != JsonTokenType.EndArray)
                {
                    if (!ReadEntry(entries))
                    {
                        return null;
                    }
                }
            }
            else
            {
                SkipValue();
            }
        }

        return new PushStream(LabelSet.Canonicalize(labels), [.. entries], labels);
    }

    private bool ReadEntry(List<PushEntry> entries)
    {
        if (_reader.TokenType != JsonTokenType.StartArray)
        {
            return FailFalse("invalid JSON push request: each value must be an array [\"<timestamp ns>\", \"<line>\"] or [\"<timestamp ns>\", \"<line>\", {<structured metadata>}]");
        }

        if (Next() != JsonTokenType.String)
        {
            return FailFalse(_reader.TokenType == JsonTokenType.EndArray
                ? "invalid JSON push request: an entry needs a timestamp and a line"
                : $"invalid timestamp: expected a string of nanoseconds since the Unix epoch, got {Describe(_reader.TokenType)}");
        }

        long timestamp;
        string error;
        bool parsed;
        if (_reader.ValueIsEscaped)
        {
            if (GetString() is not { } text)
            {
                return false;
            }

            parsed = Timestamps.TryParseNanos(System.Text.Encoding.UTF8.GetBytes(text), out timestamp, out error);
        }
        else
        {
            parsed = Timestamps.TryParseNanos(_reader.ValueSpan, out timestamp, out error);
        }

        if (!parsed)
        {
            return FailFalse(error);
        }

        if (Next() != JsonTokenType.String)
        {
            return FailFalse(_reader.TokenType == JsonTokenType.EndArray
                ? "invalid JSON push request: an entry needs a timestamp and a line"
                : $"invalid log line: expected a string, got {Describe(_reader.TokenType)}");
        }

        var line = CopyToArena();
        if (line is not { } lineMemory)
        {
            return false;
        }

        KeyValuePair<string, string>[]? metadata = null;
        var token = Next();
        if (token != JsonTokenType.EndArray)
        {
            if (token == JsonTokenType.StartObject)
            {
                metadata = ReadStringMap("structured metadata");
                if (metadata is null)
                {
                    return false;
                }

                if (metadata.Length == 0)
                {
                    metadata = null;
                }
            }
            else if (token != JsonTokenType.Null)
            {
                return FailFalse($"invalid structured metadata: expected an object, got {Describe(token)}");
            }

            if (Next() != JsonTokenType.EndArray)
            {
                return FailFalse("invalid JSON push request: an entry array must contain 2 or 3 values");
            }
        }

        entries.Add(new PushEntry(timestamp, lineMemory, metadata));
        return true;
    }

    /// <summary>Reads an object of string values; a repeated name keeps the last value, like a Go map.</summary>
    private KeyValuePair<string, string>[]? ReadStringMap(string what)
    {
        if (_reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (_reader.TokenType != JsonTokenType.StartObject)
        {
            return FailNull<KeyValuePair<string, string>[]>($"invalid {what}: expected an object of string values, got {Describe(_reader.TokenType)}");
        }

        var pairs = new List<KeyValuePair<string, string>>();
        // Small maps (the norm) are searched linearly; an index is built only for large ones.
        Dictionary<string, int>? index = null;
        while (Next() == JsonTokenType.PropertyName)
        {
            var name = GetString();
            if (name is null)
            {
                return null;
            }

            if (Next() != JsonTokenType.String)
            {
                return FailNull<KeyValuePair<string, string>[]>($"invalid {what}: value of \"{name}\" must be a string, got {Describe(_reader.TokenType)}");
            }

            var value = GetString();
            if (value is null)
            {
                return null;
            }

            var existing = IndexOf(pairs, index, name);
            if (existing >= 0)
            {
                pairs[existing] = new KeyValuePair<string, string>(name, value);
                continue;
            }

            if (index is null && pairs.Count >= 8)
            {
                index = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < pairs.Count; i++)
                {
                    index[pairs[i].Key] = i;
                }
            }

            index?.Add(name, pairs.Count);
            pairs.Add(new KeyValuePair<string, string>(name, value));
        }

        return [.. pairs];
    }

    private static int IndexOf(List<KeyValuePair<string, string>> pairs, Dictionary<string, int>? index, string name)
    {
        if (index is not null)
        {
            return index.TryGetValue(name, out var found) ? found : -1;
        }

        for (var i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].Key == name)
            {
                return i;
            }
        }

        return -1;
    }

    private ReadOnlyMemory<byte>? CopyToArena()
    {
        var destination = _arena.AsSpan(_arenaUsed);
        int written;
        if (!_reader.ValueIsEscaped)
        {
            // Raw bytes are kept as sent, invalid UTF-8 included, as Loki stores them.
            _reader.ValueSpan.CopyTo(destination);
            written = _reader.ValueSpan.Length;
        }
        else
        {
            try
            {
                written = _reader.CopyString(destination);
            }
            catch (InvalidOperationException)
            {
                // Thrown for escapes that do not form valid UTF-16 (lone surrogates) or invalid UTF-8 mixed with escapes.
                Fail("invalid log line: the string contains an invalid escape (lone surrogate) or invalid UTF-8");
                return null;
            }
        }

        var memory = new ReadOnlyMemory<byte>(_arena, _arenaUsed, written);
        _arenaUsed += written;
        return memory;
    }

    private string? GetString()
    {
        try
        {
            return _reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return FailNull<string>("invalid JSON push request: a string contains invalid UTF-8 or a lone surrogate escape");
        }
    }

    private JsonTokenType Next()
    {
        if (!_reader.Read())
        {
            throw new JsonException("unexpected end of data");
        }

        return _reader.TokenType;
    }

    private void SkipValue()
    {
        if (!_reader.Read())
        {
            throw new JsonException("unexpected end of data");
        }

        if (_reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _reader.Skip();
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.EndArray => "the end of the array",
        _ => token.ToString(),
    };

    private List<PushStream>? Fail(string message)
    {
        _error = message;
        return null;
    }

    private T? FailNull<T>(string message)
        where T : class
    {
        _error = message;
        return null;
    }

    private bool FailFalse(string message)
    {
        _error = message;
        return false;
    }
}
