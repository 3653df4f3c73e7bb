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

    internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
    {
        // Each literal searches only the candidates no earlier literal matched.
        using var pending = new FlagBuffer(keep[..lines.Length]);
        using var candidates = new FlagBuffer(keep[..lines.Length]);
        keep[..lines.Length].Clear();
        foreach (var p in _parts)
        {
            pending.Flags.CopyTo(candidates.Flags);
            p.FilterCore(buffer, lines, candidates.Flags);
            for (var i = 0; i < lines.Length; i++)
            {
                if (candidates.Flags[i])
                {
                    keep[i] = true;
                    pending.Flags[i] = false;
                }
            }
        }
    }

    internal override void CollectRequired(List<RequiredLiteral> into)
    {
        if (_parts.Length == 1)
        {
            _parts[0].CollectRequired(into);
        }
    }
}
