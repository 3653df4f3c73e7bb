using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Compiles Go RE2 patterns for stream selectors, matchers and <c>label_replace</c> through the one RE2 translator the
/// pipeline stages use (<see cref="Log.GoRegexParser"/>): ASCII <c>\d \w \s</c>, POSIX classes, <c>\Q..\E</c>,
/// <c>\x{..}</c>, the <c>U</c> flag and <c>$</c> as the end of text mean what they mean in RE2 everywhere.
/// </summary>
public static class GoRegex
{
    /// <summary>Compiles <paramref name="pattern"/> unanchored.</summary>
    public static bool TryCompile(string pattern, out Regex? regex, out string? error)
    {
        var ok = Log.GoRegex.TryCompile(pattern, anchored: false, out var re, out _, out error);
        regex = ok ? re : null;
        return ok;
    }

    /// <summary>Compiles <c>^(?s:pattern)$</c>, as Prometheus label matchers do.</summary>
    public static bool TryCompileAnchored(string pattern, out Regex? regex, out string? error)
    {
        // Validate the bare pattern first so an unbalanced ')' cannot escape the anchoring group.
        if (!Log.GoRegexParser.TryParse(pattern, out _, out error))
        {
            regex = null;
            return false;
        }
        var ok = Log.GoRegex.TryCompile("(?s:" + pattern + ")", anchored: true, out var re, out _, out error);
        regex = ok ? re : null;
        return ok;
    }

    /// <summary>
    /// Compiles <c>^(?:pattern)$</c> as Loki's <c>label_replace</c> does, with groups numbered as Go numbers them;
    /// the error text names the wrapped pattern, as Loki's does.
    /// </summary>
    public static bool TryCompileReplace(string pattern, out GoReplaceRegex? regex, out string? error)
    {
        if (!Log.GoRegex.TryCompile("^(?:" + pattern + ")$", anchored: false, unnamed: true, out var re, out var tree, out error))
        {
            regex = null;
            return false;
        }
        regex = new GoReplaceRegex(re, Log.RegexRenderer.GroupNames(tree!));
        error = null;
        return true;
    }
}

/// <summary>A regex whose groups are numbered as Go numbers them, with Go's <c>Regexp.Expand</c> template syntax.</summary>
public sealed class GoReplaceRegex
{
    private readonly Regex _regex;
    private readonly string?[] _names;

    internal GoReplaceRegex(Regex regex, string?[] names)
    {
        _regex = regex;
        _names = names;
    }

    /// <summary>Matches <paramref name="input"/>.</summary>
    public Match Match(string input) => _regex.Match(input);

    /// <summary>
    /// Go's <c>Regexp.ExpandString</c>: <c>$name</c> / <c>${name}</c> take the longest run of letters, digits and
    /// <c>_</c>; a number names a group by index, a name the first group of that name; an unknown or unmatched group is
    /// empty; <c>$$</c> is <c>$</c>; a <c>$</c> that starts no name stays as text.
    /// </summary>
    public string Expand(Match match, string template)
    {
        var sb = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            sb.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            if (!TryExtract(template, i, out var name, out var next))
            {
                sb.Append('$');
                continue;
            }
            i = next;
            var group = GroupOf(name);
            if (group > 0 && group < match.Groups.Count && match.Groups[group].Success)
            {
                sb.Append(match.Groups[group].Value);
            }
            else if (group == 0)
            {
                sb.Append(match.Value);
            }
        }
        return sb.ToString();
    }

    private int GroupOf(string name)
    {
        var num = 0;
        foreach (var c in name)
        {
            if (c is < '0' or > '9' || num >= 100_000_000)
            {
                num = -1;
                break;
            }
            num = (num * 10) + (c - '0');
        }
        if (name.Length > 1 && name[0] == '0')
        {
            num = -1;
        }
        if (num >= 0)
        {
            return num < _names.Length ? num : -1;
        }
        return Array.IndexOf(_names, name);
    }

    private static bool TryExtract(string s, int at, out string name, out int next)
    {
        name = "";
        next = at;
        if (at >= s.Length)
        {
            return false;
        }
        var brace = s[at] == '{';
        var i = brace ? at + 1 : at;
        var start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
        {
            i++;
        }
        if (i == start)
        {
            return false;
        }
        name = s[start..i];
        if (brace)
        {
            if (i >= s.Length || s[i] != '}')
            {
                return false;
            }
            i++;
        }
        next = i;
        return true;
    }
}
