namespace Orleans.Loki.LogQL.Log;

/// <summary>A predicate over a raw UTF-8 log line (<c>|=</c>, <c>!=</c>, <c>|~</c>, <c>!~</c>, <c>|&gt;</c>, <c>!&gt;</c>, <c>ip()</c>).</summary>
/// <remarks>Matching allocates nothing per line. Build filters with the static factories.</remarks>
public abstract class LineFilter
{
    /// <summary>True when the line passes the filter.</summary>
    public abstract bool Matches(ReadOnlySpan<byte> line);

    /// <summary>
    /// Filters many lines of one buffer at once (for example every line of a decompressed block). On entry
    /// <paramref name="keep"/>[i] says whether line i is still a candidate; on return it is true only for candidates
    /// that pass. <paramref name="lines"/> should be in buffer order without overlaps; literal filters then search the
    /// whole stretch in one pass instead of line by line (any other order falls back to <see cref="Matches"/>).
    /// </summary>
    public void Filter(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
    {
        if (keep.Length < lines.Length)
        {
            throw new ArgumentException("keep must have one flag per line", nameof(keep));
        }
        foreach (var line in lines)
        {
            if (line.Offset < 0 || line.Length < 0 || line.End > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(lines), $"line range {line} is outside the buffer of {buffer.Length} bytes");
            }
        }
        FilterCore(buffer, lines, keep[..lines.Length]);
    }

    /// <summary><see cref="Filter"/> after argument checks: <paramref name="keep"/> has exactly one flag per line.</summary>
    internal virtual void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (keep[i])
            {
                keep[i] = Matches(buffer.Slice(lines[i].Offset, lines[i].Length));
            }
        }
    }

    /// <summary>Adds literals every line passing this filter contains (none when unknown).</summary>
    internal virtual void CollectRequired(List<RequiredLiteral> into)
    {
    }

    /// <summary>Matches every line.</summary>
    public static LineFilter True { get; } = new TrueFilter();

    /// <summary><c>|= "text"</c>; an empty literal matches every line.</summary>
    public static LineFilter Contains(string literal, bool ignoreCase = false)
    {
        ArgumentNullException.ThrowIfNull(literal);
        if (literal.Length == 0)
        {
            return True;
        }
        return ContainsFilter.Create(literal, ignoreCase);
    }

    /// <summary><c>!= "text"</c>; <c>!= ""</c> keeps only non-empty lines, as Loki does.</summary>
    public static LineFilter NotContains(string literal, bool ignoreCase = false) => Not(Contains(literal, ignoreCase));

    /// <summary><c>|~ "re"</c> (Go RE2 syntax, unanchored).</summary>
    public static bool TryRegex(string pattern, out LineFilter filter, out string? error) =>
        RegexFilter.TryCreate(pattern, out filter, out error);

    /// <summary><c>!~ "re"</c>.</summary>
    public static bool TryNotRegex(string pattern, out LineFilter filter, out string? error)
    {
        var ok = RegexFilter.TryCreate(pattern, out var inner, out error);
        filter = ok ? Not(inner) : True;
        return ok;
    }

    /// <summary><c>|&gt; "pattern"</c> with <c>&lt;_&gt;</c> wildcards; the whole line must match.</summary>
    public static bool TryPattern(string pattern, out LineFilter filter, out string? error)
    {
        if (!PatternMatcher.TryParse(pattern, requireCapture: false, out var matcher, out error))
        {
            filter = True;
            return false;
        }
        filter = new PatternFilter(matcher!);
        return true;
    }

    /// <summary><c>|= ip("...")</c>: the line contains an IP inside the address, range or CIDR.</summary>
    public static bool TryIp(string pattern, out LineFilter filter, out string? error)
    {
        if (!IpMatcher.TryParse(pattern, out var matcher, out error))
        {
            filter = True;
            return false;
        }
        filter = new IpLineFilter(matcher!);
        return true;
    }

    public static LineFilter Not(LineFilter inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return inner switch
        {
            TrueFilter => ExistsFilter.Instance,
            NotFilter n => n.Inner,
            _ => new NotFilter(inner),
        };
    }

    public static LineFilter And(LineFilter left, LineFilter right)
    {
        if (left is TrueFilter)
        {
            return right;
        }
        return right is TrueFilter ? left : new AndFilter(left, right);
    }

    /// <summary><c>|= "a" or "b"</c>.</summary>
    public static LineFilter Or(LineFilter left, LineFilter right)
    {
        if (left is TrueFilter || right is TrueFilter)
        {
            return True;
        }
        return new OrFilter(left, right);
    }

    private sealed class TrueFilter : LineFilter
    {
        public override bool Matches(ReadOnlySpan<byte> line) => true;
    }

    private sealed class ExistsFilter : LineFilter
    {
        public static readonly ExistsFilter Instance = new();

        public override bool Matches(ReadOnlySpan<byte> line) => line.Length > 0;
    }

    private sealed class NotFilter(LineFilter inner) : LineFilter
    {
        public LineFilter Inner { get; } = inner;

        public override bool Matches(ReadOnlySpan<byte> line) => !Inner.Matches(line);

        internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
        {
            using var inner = new FlagBuffer(keep[..lines.Length]);
            Inner.FilterCore(buffer, lines, inner.Flags);
            for (var i = 0; i < lines.Length; i++)
            {
                keep[i] &= !inner.Flags[i];
            }
        }
    }

    private sealed class AndFilter(LineFilter left, LineFilter right) : LineFilter
    {
        public override bool Matches(ReadOnlySpan<byte> line) => left.Matches(line) && right.Matches(line);

        internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
        {
            left.FilterCore(buffer, lines, keep);
            right.FilterCore(buffer, lines, keep);
        }

        internal override void CollectRequired(List<RequiredLiteral> into)
        {
            left.CollectRequired(into);
            right.CollectRequired(into);
        }
    }

    private sealed class OrFilter(LineFilter left, LineFilter right) : LineFilter
    {
        public override bool Matches(ReadOnlySpan<byte> line) => left.Matches(line) || right.Matches(line);

        internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
        {
            // The right side only sees candidates the left side rejected.
            using var matched = new FlagBuffer(keep[..lines.Length]);
            left.FilterCore(buffer, lines, matched.Flags);
            for (var i = 0; i < lines.Length; i++)
            {
                keep[i] &= !matched.Flags[i];
            }
            right.FilterCore(buffer, lines, keep);
            for (var i = 0; i < lines.Length; i++)
            {
                keep[i] |= matched.Flags[i];
            }
        }
    }
}
