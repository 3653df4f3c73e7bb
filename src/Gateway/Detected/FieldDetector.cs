using System.Text;
using System.Text.Json;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Gateway.Detected;

/// <summary>
/// Loki's detected_fields over a page of log lines: structured metadata, labels parsed by the query's own parsers, and
/// what the <c>json</c> parser (or, when the line is not JSON, the <c>logfmt</c> parser) finds in each line. Each field
/// keeps its type (of its most recent sighting, as Loki), its distinct values and the parsers that produced it. At most
/// <c>limit</c> fields are tracked, first come first served.
/// </summary>
internal sealed class FieldDetector(int limit)
{
    private readonly Dictionary<string, Field> _fields = new(StringComparer.Ordinal);
    private readonly JsonParser _json = new();
    private readonly LogfmtParser _logfmt = new();

    /// <summary>Adds the entries of one result stream (labels as the query returned them).</summary>
    public void Add(ResultStream stream)
    {
        foreach (var entry in stream.Entries)
        {
            foreach (var (name, value) in entry.StructuredMetadata)
            {
                if (Track(name, null) is { } field)
                {
                    field.Type = FieldTypes.Determine(value);
                    field.Values.Add(value);
                }
            }
            var parsed = Parse(stream.Labels, entry, out var parser, out var jsonPaths);
            foreach (var (name, values) in parsed)
            {
                if (Track(name, parser) is not { } field)
                {
                    continue;
                }
                if (parser is not null && !field.Parsers.Contains(parser))
                {
                    field.Parsers.Add(parser);
                }
                if (field.JsonPath is null && jsonPaths is not null && jsonPaths.TryGetValue(name, out var path))
                {
                    field.JsonPath = path;
                }
                field.Type = FieldTypes.Determine(values[0]);
                field.Values.UnionWith(values);
            }
        }
    }

    /// <summary>The fields, sorted by name.</summary>
    public IReadOnlyList<DetectedField> Result() =>
        [.. _fields.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new DetectedField(f.Key, f.Value.Type, f.Value.Values.Count, f.Value.Parsers.Count == 0 ? null : [.. f.Value.Parsers], f.Value.JsonPath))];

    /// <summary>
    /// The distinct values of one field (byte sizes in Loki's compact form), stopping once <paramref name="valueLimit"/>
    /// values are known.
    /// </summary>
    public IReadOnlyList<string> Values(IEnumerable<ResultStream> streams, string name, int valueLimit)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            foreach (var entry in stream.Entries)
            {
                if (values.Count >= valueLimit)
                {
                    return [.. values];
                }
                foreach (var (key, value) in entry.StructuredMetadata)
                {
                    if (key == name)
                    {
                        values.Add(value);
                    }
                }
                if (Parse(stream.Labels, entry, out _, out _).TryGetValue(name, out var parsed))
                {
                    foreach (var value in parsed)
                    {
                        values.Add(FieldTypes.FormatBytesValue(value) ?? value);
                    }
                }
            }
        }
        return [.. values];
    }

    private Field? Track(string name, string? parser)
    {
        if (_fields.TryGetValue(name, out var field))
        {
            return field;
        }
        if (_fields.Count >= limit)
        {
            return null;
        }
        field = new Field();
        if (parser is not null)
        {
            field.Parsers.Add(parser);
        }
        _fields.Add(name, field);
        return field;
    }

    /// <summary>
    /// Labels parsed from one entry: those the query's parsers found, plus the json parser's, or the logfmt parser's when
    /// the line is not valid JSON (<paramref name="parser"/> null when neither parses it).
    /// </summary>
    private Dictionary<string, List<string>> Parse(KeyValuePair<string, string>[] resultLabels, LogEntry entry, out string? parser, out Dictionary<string, string[]>? jsonPaths)
    {
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in entry.Parsed)
        {
            AddValue(fields, name, value);
        }
        // The stream's own labels: the result labels without structured metadata and query-parsed labels.
        var streamLabels = resultLabels
            .Where(l => !Array.Exists(entry.StructuredMetadata, m => m.Key == l.Key) && !Array.Exists(entry.Parsed, p => p.Key == l.Key))
            .ToArray();
        var builder = new LabelsBuilder(streamLabels);
        var bytes = Encoding.UTF8.GetBytes(entry.Line);
        ReadOnlySpan<byte> line = bytes;
        parser = "json";
        jsonPaths = null;
        _json.Process(entry.TimestampNs, ref line, builder);
        if (builder.HasError)
        {
            builder.Reset();
            line = bytes;
            parser = "logfmt";
            _logfmt.Process(entry.TimestampNs, ref line, builder);
            if (builder.HasError)
            {
                parser = null;
                return fields;
            }
        }
        else
        {
            jsonPaths = JsonPaths.Of(bytes);
        }
        foreach (var (name, value) in builder.Categorized().Parsed)
        {
            AddValue(fields, name, value);
        }
        return fields;
    }

    private static void AddValue(Dictionary<string, List<string>> fields, string name, string value)
    {
        if (name is PipelineErrors.ErrorLabel or PipelineErrors.ErrorDetailsLabel or PipelineErrors.PreserveErrorLabel)
        {
            return;
        }
        if (!fields.TryGetValue(name, out var values))
        {
            values = [];
            fields.Add(name, values);
        }
        if (!values.Contains(value))
        {
            values.Add(value);
        }
    }

    private sealed class Field
    {
        public string Type { get; set; } = FieldTypes.String;
        public HashSet<string> Values { get; } = new(StringComparer.Ordinal);
        public List<string> Parsers { get; } = [];
        public string[]? JsonPath { get; set; }
    }
}

/// <summary>One detected field as Loki's API returns it.</summary>
internal sealed record DetectedField(string Label, string Type, long Cardinality, string[]? Parsers, string[]? JsonPath);

/// <summary>The original key path of every value the json parser turns into a label (flattened, sanitised name → keys).</summary>
internal static class JsonPaths
{
    public static Dictionary<string, string[]> Of(byte[] line)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 });
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                Walk(doc.RootElement, [], "", result);
            }
        }
        catch (JsonException)
        {
            // The json parser accepted a prefix of the line; paths are an extra, so none are reported for it.
        }
        return result;
    }

    private static void Walk(JsonElement obj, List<string> path, string prefix, Dictionary<string, string[]> result)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var name = prefix.Length == 0 ? Sanitize(property.Name, true) : prefix + "_" + Sanitize(property.Name, false);
            path.Add(property.Name);
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Walk(property.Value, path, name, result);
                    break;
                case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    result.TryAdd(name, [.. path]);
                    result.TryAdd(name + PipelineErrors.DuplicateSuffix, [.. path]);
                    break;
            }
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>Loki's label-key sanitising: trim, '_' before a leading digit, '_' for every other invalid character.</summary>
    private static string Sanitize(string key, bool first)
    {
        key = key.Trim();
        var sb = new StringBuilder(key.Length + 1);
        if (first && key.Length > 0 && char.IsAsciiDigit(key[0]))
        {
            sb.Append('_');
        }
        foreach (var c in key)
        {
            if (!char.IsLowSurrogate(c))
            {
                sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
            }
        }
        return sb.ToString();
    }
}
