using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Template;

internal static partial class TemplateFunctions
{
    private static void AddStrings(Dictionary<string, Func> t)
    {
        // Go strings package (Loki's deprecated capitalised names)
        Add(t, "ToLower", 1, 1, static (_, a) => Str(a, 0).ToLowerInvariant());
        Add(t, "ToUpper", 1, 1, static (_, a) => Str(a, 0).ToUpperInvariant());
        Add(t, "Replace", 4, 4, static (_, a) => GoReplace(Str(a, 0), Str(a, 1), Str(a, 2), Int(a, 3)));
        Add(t, "Trim", 2, 2, static (_, a) => Str(a, 0).Trim(Str(a, 1).ToCharArray()));
        Add(t, "TrimLeft", 2, 2, static (_, a) => Str(a, 0).TrimStart(Str(a, 1).ToCharArray()));
        Add(t, "TrimRight", 2, 2, static (_, a) => Str(a, 0).TrimEnd(Str(a, 1).ToCharArray()));
        Add(t, "TrimPrefix", 2, 2, static (_, a) => TrimPrefix(Str(a, 0), Str(a, 1)));
        Add(t, "TrimSuffix", 2, 2, static (_, a) => TrimSuffix(Str(a, 0), Str(a, 1)));
        Add(t, "TrimSpace", 1, 1, static (_, a) => Str(a, 0).Trim());

        // sprig (argument order: the piped string comes last)
        Add(t, "lower", 1, 1, static (_, a) => Str(a, 0).ToLowerInvariant());
        Add(t, "upper", 1, 1, static (_, a) => Str(a, 0).ToUpperInvariant());
        Add(t, "title", 1, 1, static (_, a) => Title(Str(a, 0)));
        Add(t, "trunc", 2, 2, static (_, a) => Trunc(Int(a, 0), Str(a, 1)));
        Add(t, "substr", 3, 3, static (_, a) => Substring(Int(a, 0), Int(a, 1), Str(a, 2)));
        Add(t, "contains", 2, 2, static (_, a) => Str(a, 1).Contains(Str(a, 0), StringComparison.Ordinal));
        Add(t, "hasPrefix", 2, 2, static (_, a) => Str(a, 1).StartsWith(Str(a, 0), StringComparison.Ordinal));
        Add(t, "hasSuffix", 2, 2, static (_, a) => Str(a, 1).EndsWith(Str(a, 0), StringComparison.Ordinal));
        Add(t, "indent", 2, 2, static (_, a) => Indent(Int(a, 0), Str(a, 1)));
        Add(t, "nindent", 2, 2, static (_, a) => "\n" + Indent(Int(a, 0), Str(a, 1)));
        Add(t, "replace", 3, 3, static (_, a) => GoReplace(Str(a, 2), Str(a, 0), Str(a, 1), -1));
        Add(t, "repeat", 2, 2, static (_, a) => Repeat(Int(a, 0), Str(a, 1)));
        Add(t, "trim", 1, 1, static (_, a) => Str(a, 0).Trim());
        Add(t, "trimAll", 2, 2, static (_, a) => Str(a, 1).Trim(Str(a, 0).ToCharArray()));
        Add(t, "trimSuffix", 2, 2, static (_, a) => TrimSuffix(Str(a, 1), Str(a, 0)));
        Add(t, "trimPrefix", 2, 2, static (_, a) => TrimPrefix(Str(a, 1), Str(a, 0)));
        Add(t, "default", 1, 2, static (_, a) => a.Length < 2 || IsEmpty(a[1]) ? a[0] : a[1]);

        // Loki
        Add(t, "regexReplaceAll", 3, 3, static (_, a) => RegexReplace(Str(a, 0), Str(a, 1), Str(a, 2), literal: false));
        Add(t, "regexReplaceAllLiteral", 3, 3, static (_, a) => RegexReplace(Str(a, 0), Str(a, 1), Str(a, 2), literal: true));
        Add(t, "count", 2, 2, static (_, a) => (long)CompileRegex(Str(a, 0)).Count(Str(a, 1)));
        Add(t, "alignLeft", 2, 2, static (_, a) => Align(Int(a, 0), Str(a, 1), left: true));
        Add(t, "alignRight", 2, 2, static (_, a) => Align(Int(a, 0), Str(a, 1), left: false));
    }

    private static bool IsEmpty(object? v) => !GoValues.IsTrue(v);

    private static string GoReplace(string s, string oldValue, string newValue, int n)
    {
        if (n == 0 || oldValue == newValue)
        {
            return s;
        }
        if (oldValue.Length == 0)
        {
            // Go inserts the replacement before every rune and at the end
            var runes = s.EnumerateRunes().ToArray();
            var limit = n < 0 ? runes.Length + 1 : Math.Min(n, runes.Length + 1);
            TemplateContext.CheckSize(s.Length + (long)newValue.Length * limit);
            var sb0 = new StringBuilder();
            var k = 0;
            for (; k < runes.Length; k++)
            {
                if (k < limit)
                {
                    sb0.Append(newValue);
                }
                sb0.Append(runes[k].ToString());
            }
            if (k < limit)
            {
                sb0.Append(newValue);
            }
            return sb0.ToString();
        }
        var sb = new StringBuilder();
        var pos = 0;
        var done = 0;
        while (n < 0 || done < n)
        {
            var i = s.IndexOf(oldValue, pos, StringComparison.Ordinal);
            if (i < 0)
            {
                break;
            }
            sb.Append(s, pos, i - pos).Append(newValue);
            TemplateContext.CheckSize(sb.Length);
            pos = i + oldValue.Length;
            done++;
        }
        sb.Append(s, pos, s.Length - pos);
        return sb.ToString();
    }

    private static string TrimPrefix(string s, string prefix) => prefix.Length > 0 && s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;

    private static string TrimSuffix(string s, string suffix) => suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;

    // strings.Title: upper-case the first letter of each word; words are separated by non-letter/digit/underscore runes.
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var prevSeparator = true;
        foreach (var r in s.EnumerateRunes())
        {
            if (prevSeparator)
            {
                sb.Append(Rune.ToUpperInvariant(r).ToString());
            }
            else
            {
                sb.Append(r.ToString());
            }
            prevSeparator = !(Rune.IsLetterOrDigit(r) || r.Value == '_') && (r.Value < 0x80 || Rune.IsWhiteSpace(r) || !Rune.IsLetterOrDigit(r));
        }
        return sb.ToString();
    }

    // Loki's rune-aware trunc: positive keeps the first n runes, negative keeps the last -n.
    private static string Trunc(int c, string s)
    {
        var runes = s.EnumerateRunes().ToArray();
        var l = runes.Length;
        if (c < 0 && l + c > 0)
        {
            return Join(runes.AsSpan(l + c));
        }
        if (c >= 0 && l > c)
        {
            return Join(runes.AsSpan(0, c));
        }
        return s;
    }

    // Loki's rune-aware substr(start, end, s).
    private static string Substring(int start, int end, string s)
    {
        var runes = s.EnumerateRunes().ToArray();
        var l = runes.Length;
        if (end > l)
        {
            end = l;
        }
        if (start > l)
        {
            start = l;
        }
        if (start < 0)
        {
            return end < 0 ? "" : Join(runes.AsSpan(0, end));
        }
        if (end < 0)
        {
            return Join(runes.AsSpan(start));
        }
        return start > end ? "" : Join(runes.AsSpan(start, end - start));
    }

    private static string Join(ReadOnlySpan<Rune> runes)
    {
        var sb = new StringBuilder(runes.Length);
        foreach (var r in runes)
        {
            sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    private static string Indent(int spaces, string v)
    {
        if (spaces < 0)
        {
            throw new TemplateException("strings: negative Repeat count");
        }
        var lines = v.Count(c => c == '\n') + 1;
        TemplateContext.CheckSize(v.Length + (long)spaces * lines);
        var pad = new string(' ', spaces);
        return pad + v.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string Repeat(int count, string s)
    {
        if (count < 0)
        {
            throw new TemplateException("strings: negative Repeat count");
        }
        TemplateContext.CheckSize((long)count * s.Length);
        return new StringBuilder(s.Length * count).Insert(0, s, count).ToString();
    }

    // Pads with spaces or cuts to exactly `count` runes.
    private static string Align(int count, string src, bool left)
    {
        var runes = src.EnumerateRunes().ToArray();
        var l = runes.Length;
        if (count < 0 || count == l)
        {
            return src;
        }
        TemplateContext.CheckSize(count);
        var pad = count - l;
        if (pad > 0)
        {
            return left ? src + new string(' ', pad) : new string(' ', pad) + src;
        }
        return left ? Join(runes.AsSpan(0, count)) : Join(runes.AsSpan(l - count));
    }

    private static readonly Dictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);
    private static readonly Lock RegexCacheLock = new();

    private static Regex CompileRegex(string pattern)
    {
        lock (RegexCacheLock)
        {
            if (RegexCache.TryGetValue(pattern, out var cached))
            {
                return cached;
            }
        }
        if (!GoRegex.TryCompile(pattern, anchored: false, out var regex, out _, out var error))
        {
            throw new TemplateException(error!);
        }
        lock (RegexCacheLock)
        {
            if (RegexCache.Count < 256)
            {
                RegexCache[pattern] = regex;
            }
        }
        return regex;
    }

    private static string RegexReplace(string pattern, string s, string repl, bool literal)
    {
        var regex = CompileRegex(pattern);
        try
        {
            var result = literal ? regex.Replace(s, repl.Replace("$", "$$", StringComparison.Ordinal)) : regex.Replace(s, GoExpandToDotNet(repl));
            TemplateContext.CheckSize(result.Length);
            return result;
        }
        catch (RegexMatchTimeoutException)
        {
            throw new TemplateException("regex evaluation timed out");
        }
    }

    // Go's $name takes the longest run of word characters; .NET needs ${name} for the same meaning.
    private static string GoExpandToDotNet(string repl)
    {
        var sb = new StringBuilder(repl.Length + 8);
        for (var i = 0; i < repl.Length; i++)
        {
            var c = repl[i];
            if (c != '$' || i + 1 >= repl.Length)
            {
                sb.Append(c);
                continue;
            }
            var next = repl[i + 1];
            if (next == '$')
            {
                sb.Append("$$");
                i++;
                continue;
            }
            if (next == '{')
            {
                var end = repl.IndexOf('}', i + 2);
                if (end > 0)
                {
                    sb.Append(repl, i, end - i + 1);
                    i = end;
                    continue;
                }
                sb.Append("$$");
                continue;
            }
            var j = i + 1;
            while (j < repl.Length && (char.IsAsciiLetterOrDigit(repl[j]) || repl[j] == '_'))
            {
                j++;
            }
            if (j == i + 1)
            {
                sb.Append("$$");
                continue;
            }
            sb.Append("${").Append(repl, i + 1, j - i - 1).Append('}');
            i = j - 1;
        }
        return sb.ToString();
    }

    internal static string Number(double d) => d.ToString(CultureInfo.InvariantCulture);
}
