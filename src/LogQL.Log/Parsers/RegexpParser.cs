using System.Text;
using System.Text.RegularExpressions;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary><c>| regexp "re"</c>: named groups (Go syntax) become labels; a non-matching line passes unchanged.</summary>
public sealed class RegexpParser : IStage
{
    private readonly Regex _regex;
    private readonly (int Group, string Name)[] _groups;

    private RegexpParser(Regex regex, (int, string)[] groups)
    {
        _regex = regex;
        _groups = groups;
    }

    public static bool TryCreate(string pattern, out RegexpParser? parser, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        parser = null;
        if (GoRegexParser.TryParse(pattern, out _, out var syntax, out _))
        {
            // Go accepts names .NET rejects (leading digit); report them as Loki does before compiling
            foreach (var name in syntax.GroupNames)
            {
                if (!LabelKeys.IsValidLabelName(name))
                {
                    error = $"invalid extracted label name '{name}'";
                    return false;
                }
            }
        }
        if (!GoRegex.TryCompile(pattern, anchored: false, out var regex, out _, out error))
        {
            return false;
        }
        var groups = new List<(int, string)>();
        foreach (var name in regex.GetGroupNames())
        {
            if (int.TryParse(name, out _))
            {
                continue;
            }
            if (!LabelKeys.IsValidLabelName(name))
            {
                error = $"invalid extracted label name '{name}'";
                return false;
            }
            groups.Add((regex.GroupNumberFromName(name), name));
        }
        if (groups.Count == 0)
        {
            error = "at least one named capture must be supplied";
            return false;
        }
        parser = new RegexpParser(regex, [.. groups]);
        return true;
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        Match m;
        try
        {
            m = _regex.Match(Encoding.UTF8.GetString(line));
        }
        catch (RegexMatchTimeoutException)
        {
            // only backtracking fallbacks time out; treat as no match so the line passes unparsed
            return true;
        }
        if (!m.Success)
        {
            return true;
        }
        foreach (var (group, name) in _groups)
        {
            var key = labels.StreamHas(name) ? name + PipelineErrors.DuplicateSuffix : name;
            if (labels.ParserKeyExists(key))
            {
                continue;
            }
            var g = m.Groups[group];
            labels.Set(LabelCategory.Parsed, key, g.Success ? g.Value : "");
        }
        return true;
    }
}
