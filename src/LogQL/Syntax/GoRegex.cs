using System.Text.RegularExpressions;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Compiles Go RE2 patterns with .NET's non-backtracking engine (linear time like RE2, so hostile patterns
/// cannot stall a query). Translates the RE2-only named-group form <c>(?P&lt;name&gt;…)</c>.
/// </summary>
public static class GoRegex
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>Rewrites RE2 syntax .NET spells differently.</summary>
    public static string Translate(string pattern) => pattern.Contains("(?P<", StringComparison.Ordinal)
        ? pattern.Replace("(?P<", "(?<", StringComparison.Ordinal)
        : pattern;

    /// <summary>Compiles <paramref name="pattern"/> unanchored.</summary>
    public static bool TryCompile(string pattern, out Regex? regex, out string? error) => TryBuild(Translate(pattern), out regex, out error);

    /// <summary>Compiles <c>^(?s:pattern)$</c>, as Prometheus label matchers do.</summary>
    public static bool TryCompileAnchored(string pattern, out Regex? regex, out string? error)
    {
        // Validate the bare pattern first so an unbalanced ')' cannot escape the anchoring group.
        if (!TryBuild(Translate(pattern), out _, out error))
        {
            regex = null;
            return false;
        }
        return TryBuild("^(?s:" + Translate(pattern) + ")\\z", out regex, out error);
    }

    private static bool TryBuild(string pattern, out Regex? regex, out string? error)
    {
        try
        {
            regex = new Regex(pattern, Options);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            regex = null;
            error = "error parsing regexp: " + e.Message;
            return false;
        }
        catch (NotSupportedException e)
        {
            regex = null;
            error = "error parsing regexp: " + e.Message;
            return false;
        }
    }
}
