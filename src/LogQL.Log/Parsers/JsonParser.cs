using System.Text;
using System.Text.Json;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// <c>| json</c>: every string, number and boolean of a JSON object becomes a label; nested objects are
/// flattened with <c>_</c>, arrays and nulls are skipped.
/// </summary>
public sealed class JsonParser : IStage
{
    private readonly LabelKeys _keys = new();
    private readonly SlotCache<ParsedKey> _keyCache = new();
    private readonly StringBuilder _prefix = new(64);
    private readonly List<int> _prefixStack = new(8);
    private readonly ParserHints? _hints;

    /// <param name="hints">Extract only the labels later stages read; null for all.</param>
    public JsonParser(ParserHints? hints = null)
    {
        _hints = hints;
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        var start = SkipSpace(line);
        if (start >= line.Length || line[start] != '{')
        {
            labels.SetError(PipelineErrors.JsonParser, JsonText.NotAnObject);
            return true;
        }
        _prefix.Clear();
        _prefixStack.Clear();
        _keys.BeginLine(labels);
        var reader = new Utf8JsonReader(line[start..], new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            Walk(ref reader, labels);
        }
        catch (JsonException e)
        {
            // Malformed input is an expected outcome of parsing arbitrary lines; labels found so far stay.
            labels.SetError(PipelineErrors.JsonParser, JsonText.Describe(e));
        }
        return true;
    }

    private void Walk(ref Utf8JsonReader reader, LabelsBuilder labels)
    {
        reader.Read(); // StartObject
        var depth = 0;
        var slot = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndObject:
                    if (depth == 0)
                    {
                        return;
                    }
                    depth--;
                    _prefix.Length = _prefixStack[^1];
                    _prefixStack.RemoveAt(_prefixStack.Count - 1);
                    continue;
                case JsonTokenType.PropertyName:
                    break;
                default:
                    throw new JsonException("unexpected token");
            }
            var rawKey = JsonText.PropertyBytes(ref reader, out var keyOwner);
            _ = keyOwner;
            slot++;
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (_hints is not null && !WantsObject(rawKey))
                    {
                        reader.Skip();
                        continue;
                    }
                    _prefixStack.Add(_prefix.Length);
                    var before = _prefix.Length;
                    if (before > 0)
                    {
                        _prefix.Append('_');
                    }
                    AppendKey(rawKey);
                    depth++;
                    continue;
                case JsonTokenType.StartArray:
                    reader.Skip();
                    continue;
                case JsonTokenType.Null:
                    continue;
            }
            ParsedKey parsed;
            if (_prefix.Length == 0)
            {
                if (_hints is not null && _hints.RequiresPlain(rawKey) == false)
                {
                    continue;
                }
                parsed = _keyCache.TryGet(slot, rawKey) ?? _keys.Sanitize(rawKey);
                _keyCache.Set(slot, rawKey, parsed);
            }
            else
            {
                var len = _prefix.Length;
                _prefix.Append('_');
                AppendKey(rawKey);
                parsed = FlattenedKey();
                _prefix.Length = len;
            }
            if (_hints is not null && !_hints.Requires(parsed.Name))
            {
                continue;
            }
            var key = _keys.Resolve(labels, parsed);
            if (key is null)
            {
                continue;
            }
            AddValue(labels, key, ref reader);
        }
        throw new JsonException("truncated");
    }

    // Unescaped scalars render as their bytes (strings without quotes, numbers verbatim, true/false), so they go in as
    // bytes and become strings only if a later stage or the result reads them.
    private static void AddValue(LabelsBuilder labels, string key, ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False))
        {
            labels.AddParsed(key, JsonText.ScalarValue(ref reader));
            return;
        }
        labels.AddParsedUtf8(key, reader.ValueSpan);
    }

    private void AppendKey(ReadOnlySpan<byte> rawKey)
    {
        Span<char> chars = rawKey.Length <= 256 ? stackalloc char[256] : new char[rawKey.Length];
        var n = Encoding.UTF8.GetChars(rawKey, chars);
        LabelKeys.AppendSanitized(_prefix, chars[..n]);
    }

    private ParsedKey FlattenedKey()
    {
        var len = _prefix.Length;
        Span<char> chars = len <= 256 ? stackalloc char[256] : new char[len];
        _prefix.CopyTo(0, chars, len);
        return _keys.Named(chars[..len]);
    }

    // A nested object matters only when a wanted name starts with its flattened prefix.
    private bool WantsObject(ReadOnlySpan<byte> rawKey)
    {
        var len = _prefix.Length;
        if (len == 0 && _hints!.RequiresPlainPrefix(rawKey) is { } plain)
        {
            return plain;
        }
        if (len > 0)
        {
            _prefix.Append('_');
        }
        LabelKeys.AppendSanitized(_prefix, Encoding.UTF8.GetString(rawKey));
        _prefix.Append('_');
        var wanted = _hints!.RequiresPrefix(_prefix.ToString());
        _prefix.Length = len;
        return wanted;
    }

    private static int SkipSpace(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        {
            i++;
        }
        return i;
    }
}
