namespace Orleans.Loki.LogQL.Log;

/// <summary><c>|= ip("...")</c>: passes lines that mention an address inside the set.</summary>
internal sealed class IpLineFilter(IpMatcher matcher) : LineFilter
{
    public override bool Matches(ReadOnlySpan<byte> line) => matcher.LineContains(line);
}
