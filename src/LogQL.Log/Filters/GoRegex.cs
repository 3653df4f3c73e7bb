using System.Text.RegularExpressions;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Compiles Go RE2 patterns to .NET regexes with linear-time matching where possible.</summary>
internal static class GoRegex
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

    /// <summary>Regex test over UTF-8 bytes without allocating; a timed-out match counts as no match.</summary>
    public static bool IsMatch(Regex regex, ReadOnlySpan<byte> utf8)
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
