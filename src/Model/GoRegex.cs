using System.Text.RegularExpressions;

namespace Orleans.Loki.Model;

/// <summary>
/// The one RE2 translator: compiles Go RE2 patterns to .NET regexes (linear-time matching where possible) for stream
/// selectors, matchers, line filters, parsers, templates and <c>label_replace</c> alike: ASCII <c>\d \w \s</c>, POSIX
/// classes, <c>\Q..\E</c>, <c>\x{..}</c>, the <c>U</c> flag and <c>$</c> as the end of text mean what they mean in RE2.
/// </summary>
public static class GoRegex
{
    /// <summary>Bound for the rare patterns the non-backtracking engine refuses.</summary>
    public static readonly TimeSpan FallbackTimeout = TimeSpan.FromMilliseconds(250);

    public static bool TryCompile(string pattern, bool anchored, out Regex regex, out RegexNode? tree, out string? error) =>
        TryCompile(pattern, anchored, unnamed: false, out regex, out tree, out error);

    /// <param name="pattern">RE2 pattern.</param>
    /// <param name="anchored">Match the whole input.</param>
    /// <param name="unnamed">Number every group by its opening parenthesis, as Go does (names via <see cref="RegexRenderer.GroupNames"/>).</param>
    /// <param name="regex">The compiled regex.</param>
    /// <param name="tree">The parsed pattern.</param>
    /// <param name="error">Go's error text.</param>
    public static bool TryCompile(string pattern, bool anchored, bool unnamed, out Regex regex, out RegexNode? tree, out string? error)
    {
        regex = null!;
        if (!GoRegexParser.TryParse(pattern, out tree, out error))
        {
            return false;
        }
        var dotnet = RegexRenderer.Render(tree!, unnamed);
        if (anchored)
        {
            // Loki anchors label matchers: ^(?:re)$ over the whole value.
            dotnet = @"\A(?:" + dotnet + @")\z";
        }
        return TryBuild(dotnet, out regex, out error);
    }

    private static bool TryBuild(string dotnet, out Regex regex, out string? error)
    {
        const RegexOptions options = RegexOptions.CultureInvariant;
        try
        {
            regex = new Regex(dotnet, options | RegexOptions.NonBacktracking);
            error = null;
            return true;
        }
        catch (NotSupportedException)
        {
            // Constructs the linear engine does not support: fall back to backtracking with a match timeout.
        }
        catch (ArgumentException e)
        {
            regex = null!;
            error = "error parsing regexp: " + e.Message;
            return false;
        }
        try
        {
            regex = new Regex(dotnet, options, FallbackTimeout);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            regex = null!;
            error = "error parsing regexp: " + e.Message;
            return false;
        }
    }

    /// <summary>Compiles <paramref name="pattern"/> unanchored.</summary>
    public static bool TryCompile(string pattern, out Regex? regex, out string? error)
    {
        var ok = TryCompile(pattern, anchored: false, out var re, out _, out error);
        regex = ok ? re : null;
        return ok;
    }

    /// <summary>Compiles <c>^(?s:pattern)$</c>, as Prometheus label matchers do.</summary>
    public static bool TryCompileAnchored(string pattern, out Regex? regex, out string? error)
    {
        // Validate the bare pattern first so an unbalanced ')' cannot escape the anchoring group.
        if (!GoRegexParser.TryParse(pattern, out _, out error))
        {
            regex = null;
            return false;
        }
        var ok = TryCompile("(?s:" + pattern + ")", anchored: true, out var re, out _, out error);
        regex = ok ? re : null;
        return ok;
    }

    /// <summary>
    /// Compiles <c>^(?:pattern)$</c> as Loki's <c>label_replace</c> does, with groups numbered as Go numbers them;
    /// the error text names the wrapped pattern, as Loki's does.
    /// </summary>
    public static bool TryCompileReplace(string pattern, out GoReplaceRegex? regex, out string? error)
    {
        if (!TryCompile("^(?:" + pattern + ")$", anchored: false, unnamed: true, out var re, out var tree, out error))
        {
            regex = null;
            return false;
        }
        regex = new GoReplaceRegex(re, RegexRenderer.GroupNames(tree!));
        error = null;
        return true;
    }
}
