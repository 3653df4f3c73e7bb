namespace Orleans.Loki.LogQL.Log;

/// <summary><c>|&gt; "pattern"</c>: the line must match the pattern from start to end.</summary>
internal sealed class PatternFilter(PatternMatcher matcher) : LineFilter
{
    public override bool Matches(ReadOnlySpan<byte> line) => matcher.Test(line);

    internal override void CollectRequired(List<RequiredLiteral> into)
    {
        foreach (var l in matcher.Literals())
        {
            into.Add(new RequiredLiteral(l, false));
        }
    }
}
