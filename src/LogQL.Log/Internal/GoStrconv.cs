using System.Buffers;
using System.Globalization;
using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Go's strconv quoting rules, so label strings render byte-for-byte as Loki renders them.</summary>
internal static class GoStrconv
{
    // Characters Quote writes as they are when nothing else in the string needs escaping: printable ASCII but '"' and '\'.
    private static readonly SearchValues<char> s_plain = SearchValues.Create(
        new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => c != '"' && c != '\\')]));

    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendQuoted(sb, s);
        return sb.ToString();
    }

    public static void AppendQuoted(StringBuilder sb, string s)
    {
        if (s.AsSpan().IndexOfAnyExcept(s_plain) < 0)
        {
            sb.Append('"').Append(s).Append('"');
            return;
        }
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (c < 0x20 || c == 0x7F)
            {
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                continue;
            }
            if (c < 0x80)
            {
                sb.Append(c);
                continue;
            }
            int rune;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                rune = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(rune))
                {
                    sb.Append(c).Append(s[i + 1]);
                }
                else
                {
                    sb.Append("\\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture));
                }
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                // A lone surrogate cannot come from valid UTF-8; Go would print the replacement escape.
                sb.Append("\\ufffd");
                continue;
            }
            rune = c;
            if (IsPrintable(rune))
            {
                sb.Append(c);
            }
            else if (rune < 0x100)
            {
                sb.Append("\\u00").Append(rune.ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture));
            }
        }
        sb.Append('"');
    }

    private static bool IsPrintable(int rune)
    {
        var cat = CharUnicodeInfo.GetUnicodeCategory(rune);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            UnicodeCategory.SpaceSeparator => rune == ' ',
            _ => true,
        };
    }

    /// <summary>Unquotes a Go interpreted ("...") or raw (`...`) string literal, or a rune literal ('x').</summary>
    public static bool TryUnquote(ReadOnlySpan<char> s, out string value)
    {
        value = "";
        if (s.Length < 2)
        {
            return false;
        }
        var q = s[0];
        if (q != s[^1] || (q != '"' && q != '`' && q != '\''))
        {
            return false;
        }
        var body = s[1..^1];
        if (q == '`')
        {
            if (body.Contains('`'))
            {
                return false;
            }
            value = body.ToString().Replace("\r", "", StringComparison.Ordinal);
            return true;
        }
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == q || c == '\n')
            {
                return false;
            }
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= body.Length)
            {
                return false;
            }
            c = body[i];
            switch (c)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"' or '\'':
                    if (c != q)
                    {
                        return false;
                    }
                    sb.Append(c);
                    break;
                case 'x' or 'u' or 'U':
                {
                    var n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                    if (i + n >= body.Length)
                    {
                        return false;
                    }
                    if (!int.TryParse(body.Slice(i + 1, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return false;
                    }
                    i += n;
                    if (c == 'x')
                    {
                        // \xNN is a raw byte in Go; bytes >= 0x80 cannot be represented in a .NET string.
                        sb.Append(code < 0x80 ? (char)code : '\uFFFD');
                    }
                    else if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                    {
                        return false;
                    }
                    else
                    {
                        sb.Append(char.ConvertFromUtf32(code));
                    }
                    break;
                }
                case >= '0' and <= '7':
                {
                    if (i + 2 >= body.Length)
                    {
                        return false;
                    }
                    var code = 0;
                    for (var k = 0; k < 3; k++)
                    {
                        var d = body[i + k];
                        if (d < '0' || d > '7')
                        {
                            return false;
                        }
                        code = code * 8 + (d - '0');
                    }
                    if (code > 255)
                    {
                        return false;
                    }
                    i += 2;
                    sb.Append(code < 0x80 ? (char)code : '\uFFFD');
                    break;
                }
                default:
                    return false;
            }
        }
        value = sb.ToString();
        if (q == '\'' && value.EnumerateRunes().Count() != 1)
        {
            return false;
        }
        return true;
    }
}
