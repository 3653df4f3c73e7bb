using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.Model;

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
