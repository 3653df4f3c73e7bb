using System.Text.Json;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// <c>| json label="path", ...</c>: extracts only the addressed values. Objects and arrays come back as raw JSON,
/// missing paths as empty labels.
/// </summary>
public sealed class JsonExpressionParser : IStage
{
    private readonly (string Label, JsonPath Path)[] _paths;

    private JsonExpressionParser((string, JsonPath)[] paths) => _paths = paths;

    /// <summary>Expressions map a label name to a path (e.g. <c>request.headers["User-Agent"]</c>, <c>list[0]</c>).</summary>
    public static bool TryCreate(IReadOnlyList<KeyValuePair<string, string>> expressions, out JsonExpressionParser? parser, out string? error)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        parser = null;
        var paths = new (string, JsonPath)[expressions.Count];
        for (var i = 0; i < expressions.Count; i++)
        {
            var (label, expr) = (expressions[i].Key, expressions[i].Value);
            if (!JsonPath.TryParse(expr, out var path, out error))
            {
                return false;
            }
            if (!LabelKeys.IsValidLabelName(label))
            {
                error = $"invalid extracted label name '{label}'";
                return false;
            }
            paths[i] = (label, path!);
        }
        error = null;
        parser = new JsonExpressionParser(paths);
        return true;
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        if (line.IsEmpty)
        {
            return true;
        }
        var first = line.TrimStart(" \t\r\n"u8);
        if (first.IsEmpty || (first[0] != '{' && first[0] != '[' && first[0] != '"'))
        {
            labels.SetError(PipelineErrors.JsonParser);
            return true;
        }
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(line);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            // Malformed lines are an expected outcome; Loki flags them without details in this mode.
            labels.SetError(PipelineErrors.JsonParser);
            return true;
        }
        using (doc)
        {
            foreach (var (label, path) in _paths)
            {
                var key = labels.StreamHas(label) ? label + PipelineErrors.DuplicateSuffix : label;
                labels.Set(LabelCategory.Parsed, key, TryNavigate(doc.RootElement, path, out var e) ? JsonText.ElementValue(e) : "");
            }
        }
        return true;
    }

    private static bool TryNavigate(JsonElement root, JsonPath path, out JsonElement result)
    {
        result = root;
        foreach (var step in path.Steps)
        {
            if (step is string field)
            {
                if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty(field, out result))
                {
                    return false;
                }
            }
            else
            {
                var index = (int)step;
                if (result.ValueKind != JsonValueKind.Array || index >= result.GetArrayLength())
                {
                    return false;
                }
                result = result[index];
            }
        }
        return true;
    }
}
