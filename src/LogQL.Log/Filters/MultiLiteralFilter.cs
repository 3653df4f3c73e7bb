namespace Orleans.Loki.LogQL.Log;

/// <summary>Matches when any of several literals occurs: a regex like <c>a|b|c</c> runs without a regex engine.</summary>
internal sealed class MultiLiteralFilter(IReadOnlyList<RequiredLiteral> literals) : LineFilter
{
    private readonly ContainsFilter[] _parts = literals.Select(l => ContainsFilter.Create(l.Value, l.IgnoreCase)).ToArray();

    public IReadOnlyList<RequiredLiteral> Literals { get; } = literals;

    public override bool Matches(ReadOnlySpan<byte> line)
    {
        foreach (var p in _parts)
        {
            if (p.Matches(line))
            {
                return true;
            }
        }
        return false;
    }

    internal override void CollectRequired(List<RequiredLiteral> into)
    {
        if (_parts.Length == 1)
        {
            _parts[0].CollectRequired(into);
        }
    }
}
