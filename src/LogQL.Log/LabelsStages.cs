using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A <c>drop</c>/<c>keep</c> entry: a bare label name, or a matcher on the label's value.</summary>
public sealed record LabelSelector(string Name, LabelMatcher? Matcher = null)
{
    public static LabelSelector FromMatcher(LabelMatcher matcher) => new(matcher.Name, matcher);
}

/// <summary><c>| drop a, b="x", c=~"y.*"</c>: removes labels (a matcher removes only on a matching value).</summary>
public sealed class DropLabelsStage(IReadOnlyList<LabelSelector> selectors) : IStage
{
    private readonly LabelSelector[] _selectors = [.. selectors];

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        foreach (var s in _selectors)
        {
            if (s.Matcher is null)
            {
                labels.Delete(s.Name);
                continue;
            }
            if (labels.TryGet(s.Name, out var v) || PipelineErrors.IsSpecial(s.Name))
            {
                if (s.Matcher.Matches(v))
                {
                    labels.Delete(s.Name);
                }
            }
            else if (s.Matcher.Matches(""))
            {
                labels.Delete(s.Name);
            }
        }
        return true;
    }
}

/// <summary><c>| keep a, b="x"</c>: removes every label not listed (error labels are always kept, as in Loki).</summary>
public sealed class KeepLabelsStage(IReadOnlyList<LabelSelector> selectors) : IStage
{
    private readonly LabelSelector[] _selectors = [.. selectors];
    private readonly List<string> _toDelete = new(8);

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        if (_selectors.Length == 0)
        {
            return true;
        }
        _toDelete.Clear();
        foreach (var l in labels.Labels())
        {
            if (PipelineErrors.IsSpecial(l.Key))
            {
                continue;
            }
            var keep = false;
            foreach (var s in _selectors)
            {
                if (s.Name == l.Key && (s.Matcher is null || s.Matcher.Matches(l.Value)))
                {
                    keep = true;
                    break;
                }
            }
            if (!keep)
            {
                _toDelete.Add(l.Key);
            }
        }
        foreach (var name in _toDelete)
        {
            labels.Delete(name);
        }
        return true;
    }
}
