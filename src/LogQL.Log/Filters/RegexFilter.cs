using System.Text.RegularExpressions;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// <c>|~</c>: an unanchored Go regex over the line. Pure literal alternations become <see cref="MultiLiteralFilter"/>;
/// other patterns first check the literals every match must contain.
/// </summary>
internal sealed class RegexFilter : LineFilter
{
    private readonly Regex _regex;
    private readonly ContainsFilter[] _prefilter;
    private readonly IReadOnlyList<RequiredLiteral> _required;

    // The literal every match starts with, if any: the regex then runs only from its first occurrence on.
    private readonly LiteralSearch? _leading;
    private readonly ContainsFilter? _leadingBlock;

    private RegexFilter(Regex regex, IReadOnlyList<RequiredLiteral> required, string leading)
    {
        _regex = regex;
        _required = required;
        _leading = leading.Length > 0 ? new LiteralSearch(System.Text.Encoding.UTF8.GetBytes(leading), ignoreCase: false) : null;
        _leadingBlock = leading.Length > 0 ? ContainsFilter.Create(leading, ignoreCase: false) : null;
        // A one-character literal next to a longer one rejects almost nothing and costs a search per line.
        var longest = required.Count == 0 ? 0 : required.Max(r => r.Value.Length);
        _prefilter = required
            .Where(r => (r.IgnoreCase || r.Value != leading) && (r.Value.Length > 1 || longest == 1))
            .Select(r => ContainsFilter.Create(r.Value, r.IgnoreCase)).ToArray();
    }

    public Regex Regex => _regex;

    public static bool TryCreate(string pattern, out LineFilter filter, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!GoRegex.TryCompile(pattern, anchored: false, out var regex, out var tree, out error))
        {
            filter = True;
            return false;
        }
        var analysis = RegexAnalyzer.Analyze(tree!);
        if (analysis.MatchesEverything)
        {
            filter = True;
        }
        else if (analysis.ExactAlternatives is { Count: > 0 } exact)
        {
            filter = exact.Count == 1 ? ContainsFilter.Create(exact[0].Value, exact[0].IgnoreCase) : new MultiLiteralFilter(exact);
        }
        else
        {
            filter = new RegexFilter(regex, analysis.Required, RegexAnalyzer.LeadingLiteral(tree!));
        }
        return true;
    }

    public override bool Matches(ReadOnlySpan<byte> line)
    {
        var start = 0;
        if (_leading is not null)
        {
            start = _leading.IndexOf(line);
            if (start < 0)
            {
                return false;
            }
        }
        foreach (var p in _prefilter)
        {
            if (!p.Matches(line))
            {
                return false;
            }
        }
        return IsMatch(_regex, line[start..]);
    }

    // For lines that passed every literal: the regex from the leading literal's first occurrence on.
    private bool MatchesFromLeading(ReadOnlySpan<byte> line)
    {
        var start = _leading is null ? 0 : _leading.IndexOf(line);
        return start >= 0 && IsMatch(_regex, line[start..]);
    }

    /// <summary>The literal pre-filters run over the whole block first; the regex sees only the lines they pass.</summary>
    internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
    {
        _leadingBlock?.FilterCore(buffer, lines, keep);
        foreach (var p in _prefilter)
        {
            p.FilterCore(buffer, lines, keep);
        }
        for (var i = 0; i < lines.Length; i++)
        {
            if (keep[i])
            {
                keep[i] = MatchesFromLeading(buffer.Slice(lines[i].Offset, lines[i].Length));
            }
        }
    }

    internal override void CollectRequired(List<RequiredLiteral> into) => into.AddRange(_required);

    /// <summary>Regex test over UTF-8 bytes without allocating; a timed-out match counts as no match.</summary>
    private static bool IsMatch(Regex regex, ReadOnlySpan<byte> utf8)
    {
        var chars = Utf8Scratch.Decode(utf8);
        try
        {
            return regex.IsMatch(chars);
        }
        catch (RegexMatchTimeoutException)
        {
            // Only backtracking fallbacks can time out; a pathological line must not stall the query.
            return false;
        }
    }
}
