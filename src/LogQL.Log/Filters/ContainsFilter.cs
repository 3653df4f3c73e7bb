using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Substring test on UTF-8 bytes; case-insensitive matching takes a vectorised ASCII path.</summary>
internal sealed class ContainsFilter : LineFilter
{
    private readonly string _literal;

    // Null for a case-insensitive non-ASCII literal, which is matched on decoded text with Unicode case folding.
    private readonly LiteralSearch? _search;

    private ContainsFilter(string literal, bool ignoreCase)
    {
        _literal = literal;
        IgnoreCase = ignoreCase;
        if (!ignoreCase)
        {
            _search = new LiteralSearch(Encoding.UTF8.GetBytes(literal), ignoreCase: false);
        }
        else if (Ascii.IsValid(literal))
        {
            _search = new LiteralSearch(Encoding.ASCII.GetBytes(literal.ToLowerInvariant()), ignoreCase: true);
        }
    }

    public static ContainsFilter Create(string literal, bool ignoreCase) => new(literal, ignoreCase);

    public string Literal => _literal;

    public bool IgnoreCase { get; }

    public override bool Matches(ReadOnlySpan<byte> line) => _search is not null
        ? _search.IndexOf(line) >= 0
        : Utf8Scratch.Decode(line).IndexOf(_literal, StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// Searches the stretch of the buffer holding the lines in one pass and maps each hit back to its line, so a
    /// rare literal costs one vectorised scan instead of a call per line. A hit that crosses a line's end (into the
    /// bytes between lines or the next line) is not a match and the search resumes one byte later.
    /// </summary>
    internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
    {
        if (_search is null || !IsAscending(lines))
        {
            base.FilterCore(buffer, lines, keep);
            return;
        }
        var k = 0;
        while (k < lines.Length && !keep[k])
        {
            k++;
        }
        var pos = k < lines.Length ? lines[k].Offset : 0;
        var end = lines.Length > 0 ? lines[^1].End : 0;
        while (k < lines.Length)
        {
            var hit = _search.IndexOf(buffer[pos..end]);
            if (hit < 0)
            {
                break;
            }
            var p = pos + hit;
            while (lines[k].End <= p)
            {
                keep[k] = false;
                k++;
            }
            if (p >= lines[k].Offset && p + _search.Length <= lines[k].End)
            {
                // Line k matches; its keep flag stays as it was. Resume at the next candidate line.
                k++;
                while (k < lines.Length && !keep[k])
                {
                    k++;
                }
                if (k < lines.Length)
                {
                    pos = lines[k].Offset;
                }
                continue;
            }
            pos = p + 1;
        }
        for (; k < lines.Length; k++)
        {
            keep[k] = false;
        }
    }

    private static bool IsAscending(ReadOnlySpan<LineRange> lines)
    {
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Offset < lines[i - 1].End)
            {
                return false;
            }
        }
        return true;
    }

    internal override void CollectRequired(List<RequiredLiteral> into) => into.Add(new RequiredLiteral(_literal, IgnoreCase));
}
