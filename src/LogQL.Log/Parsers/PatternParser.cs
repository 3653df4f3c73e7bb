using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary><c>| pattern "&lt;ip&gt; - - &lt;_&gt; \"&lt;method&gt; ..."</c>: captures become labels.</summary>
public sealed class PatternParser : IStage
{
    private readonly PatternMatcher _matcher;
    private readonly (int Start, int Length)[] _ranges;

    private PatternParser(PatternMatcher matcher)
    {
        _matcher = matcher;
        _ranges = new (int, int)[matcher.Names.Length];
    }

    public static bool TryCreate(string pattern, out PatternParser? parser, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        parser = null;
        if (!PatternMatcher.TryParse(pattern, requireCapture: true, out var matcher, out error))
        {
            return false;
        }
        foreach (var name in matcher!.Names)
        {
            if (!LabelKeys.IsValidLabelName(name))
            {
                error = $"invalid capture label name '{name}'";
                return false;
            }
        }
        parser = new PatternParser(matcher);
        return true;
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        var n = _matcher.Matches(line, _ranges);
        for (var i = 0; i < n; i++)
        {
            var name = _matcher.Names[i];
            var key = labels.StreamHas(name) ? name + PipelineErrors.DuplicateSuffix : name;
            if (labels.ParserKeyExists(key))
            {
                continue;
            }
            var (start, length) = _ranges[i];
            labels.Set(LabelCategory.Parsed, key, Encoding.UTF8.GetString(line.Slice(start, length)));
        }
        return true;
    }
}
