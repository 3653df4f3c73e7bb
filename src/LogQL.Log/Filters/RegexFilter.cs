using System.Text.RegularExpressions;

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

    private RegexFilter(Regex regex, IReadOnlyList<RequiredLiteral> required)
    {
        _regex = regex;
        _required = required;
        _prefilter = required.Select(r => ContainsFilter.Create(r.Value, r.IgnoreCase)).ToArray();
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
            filter = new RegexFilter(regex, analysis.Required);
        }
        return true;
    }

    public override bool Matches(ReadOnlySpan<byte> line)
    {
        foreach (var p in _prefilter)
        {
            if (!p.Matches(line))
            {
                return false;
            }
        }
        return GoRegex.IsMatch(_regex, line);
    }

    /// <summary>The literal pre-filters run over the whole block first; the regex sees only the lines they pass.</summary>
    internal override void FilterCore(ReadOnlySpan<byte> buffer, ReadOnlySpan<LineRange> lines, Span<bool> keep)
    {
        foreach (var p in _prefilter)
        {
            p.FilterCore(buffer, lines, keep);
        }
        for (var i = 0; i < lines.Length; i++)
        {
            if (keep[i])
            {
                keep[i] = GoRegex.IsMatch(_regex, buffer.Slice(lines[i].Offset, lines[i].Length));
            }
        }
    }

    internal override void CollectRequired(List<RequiredLiteral> into) => into.AddRange(_required);
}
