using System.Text;
using System.Text.Json;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// <c>| unpack</c>: reads the promtail <c>pack</c> format, a JSON object of strings whose <c>_entry</c> key holds the
/// original line. String values become labels (only when <c>_entry</c> is present) and <c>_entry</c> replaces the line.
/// </summary>
public sealed class UnpackParser : IStage
{
    private const string PackedEntryKey = "_entry";
    private readonly List<KeyValuePair<string, string>> _pending = new(16);
    private byte[] _buffer = new byte[1024];

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        if (line.IsEmpty)
        {
            return true;
        }
        _pending.Clear();
        string? entry = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                labels.SetError(PipelineErrors.JsonParser, JsonText.NotAnObject);
                return true;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.String)
                {
                    continue;
                }
                var value = JsonText.StringValue(ref reader);
                if (key == PackedEntryKey)
                {
                    entry = value;
                    continue;
                }
                _pending.Add(new(key, value));
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw new JsonException("truncated");
            }
        }
        catch (JsonException e)
        {
            // malformed lines are expected input; flag them and keep the line
            labels.SetError(PipelineErrors.JsonParser, JsonText.Describe(e));
            return true;
        }
        if (entry is null)
        {
            return true;
        }
        foreach (var (key, value) in _pending)
        {
            var name = labels.StreamHas(key) ? key + PipelineErrors.DuplicateSuffix : key;
            labels.Set(LabelCategory.Parsed, name, value);
        }
        var max = Encoding.UTF8.GetMaxByteCount(entry.Length);
        if (_buffer.Length < max)
        {
            _buffer = new byte[Math.Max(max, _buffer.Length * 2)];
        }
        var n = Encoding.UTF8.GetBytes(entry, _buffer);
        line = _buffer.AsSpan(0, n);
        return true;
    }
}
