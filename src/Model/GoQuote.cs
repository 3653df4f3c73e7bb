using System.Buffers;
using System.Globalization;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>
/// Go's string quoting: <c>strconv.Quote</c> (how Loki renders label values and printed queries), with the one
/// <c>unicode.IsPrint</c>, and the unquoting of Go's interpreted, raw and rune literals (LogQL strings, templates).
/// </summary>
public static class GoQuote
{
    private const string Hex = "0123456789abcdef";

    // Characters written as they are when nothing else in the string needs escaping: printable ASCII but '"' and '\'.
    private static readonly SearchValues<char> s_plain = SearchValues.Create(
        new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => c != '"' && c != '\\')]));

    /// <summary>Appends <paramref name="value"/> quoted like Go's strconv.Quote.</summary>
    public static void Append(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        builder.Append('"');
        if (value.AsSpan().IndexOfAnyExcept(s_plain) < 0)
        {
            builder.Append(value);
        }
        else
        {
            AppendEscaped(builder, value);
        }

        builder.Append('"');
    }

    /// <summary><paramref name="value"/> quoted like Go's strconv.Quote.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2);
        Append(builder, value);
        return builder.ToString();
    }

    /// <summary>
    /// Unquotes a Go interpreted (<c>"..."</c>) or raw (<c>`...`</c>) string literal, or a rune literal (<c>'x'</c>),
    /// as Go's strconv.Unquote.
    /// </summary>
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
        // An unescaped quote or a newline cannot stand inside an interpreted literal.
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\')
            {
                i++;
            }
            else if (body[i] == q || body[i] == '\n')
            {
                return false;
            }
        }
        if (!TryUnescape(body, q, out value, out _))
        {
            value = "";
            return false;
        }
        if (q == '\'' && value.EnumerateRunes().Count() != 1)
        {
            value = "";
            return false;
        }
        return true;
    }

    /// <summary>
    /// Decodes the escapes of a Go interpreted string body (without the quotes).
    /// Returns false with a Go-like message on an invalid escape.
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<char> body, char quote, out string value, out string? error)
    {
        var sb = new StringBuilder(body.Length);
        var utf8 = new List<byte>();
        error = null;
        value = "";
        var i = 0;
        while (i < body.Length)
        {
            var c = body[i];
            if (c != '\\')
            {
                FlushBytes(sb, utf8);
                sb.Append(c);
                i++;
                continue;
            }
            if (i + 1 >= body.Length)
            {
                error = "invalid char escape";
                return false;
            }
            var e = body[i + 1];
            i += 2;
            switch (e)
            {
                case 'a': FlushBytes(sb, utf8); sb.Append('\a'); break;
                case 'b': FlushBytes(sb, utf8); sb.Append('\b'); break;
                case 'f': FlushBytes(sb, utf8); sb.Append('\f'); break;
                case 'n': FlushBytes(sb, utf8); sb.Append('\n'); break;
                case 'r': FlushBytes(sb, utf8); sb.Append('\r'); break;
                case 't': FlushBytes(sb, utf8); sb.Append('\t'); break;
                case 'v': FlushBytes(sb, utf8); sb.Append('\v'); break;
                case '\\': FlushBytes(sb, utf8); sb.Append('\\'); break;
                case '"' or '\'' when e == quote: FlushBytes(sb, utf8); sb.Append(e); break;
                case 'x':
                    if (!TryHex(body, ref i, 2, out var xb))
                    {
                        error = "invalid char escape";
                        return false;
                    }
                    // \x escapes are raw bytes in Go; collect them and decode as UTF-8 together.
                    utf8.Add((byte)xb);
                    break;
                case 'u' or 'U':
                    if (!TryHex(body, ref i, e == 'u' ? 4 : 8, out var cp) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    {
                        error = "invalid char escape";
                        return false;
                    }
                    FlushBytes(sb, utf8);
                    sb.Append(char.ConvertFromUtf32((int)cp));
                    break;
                case >= '0' and <= '7':
                    {
                        var v = (uint)(e - '0');
                        for (var k = 0; k < 2; k++)
                        {
                            if (i >= body.Length || body[i] < '0' || body[i] > '7')
                            {
                                error = "invalid char escape";
                                return false;
                            }
                            v = (v * 8) + (uint)(body[i] - '0');
                            i++;
                        }
                        if (v > 255)
                        {
                            error = "invalid char escape";
                            return false;
                        }
                        utf8.Add((byte)v);
                        break;
                    }
                default:
                    error = "invalid char escape";
                    return false;
            }
        }
        FlushBytes(sb, utf8);
        value = sb.ToString();
        return true;
    }

    private static void FlushBytes(StringBuilder sb, List<byte> bytes)
    {
        if (bytes.Count == 0)
        {
            return;
        }
        sb.Append(Encoding.UTF8.GetString(bytes.ToArray()));
        bytes.Clear();
    }

    private static bool TryHex(ReadOnlySpan<char> s, ref int i, int digits, out uint value)
    {
        value = 0;
        if (i + digits > s.Length)
        {
            return false;
        }
        for (var k = 0; k < digits; k++)
        {
            var c = s[i + k];
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                return false;
            }
            value = (value * 16) + (uint)d;
        }
        i += digits;
        return true;
    }


    private static void AppendEscaped(StringBuilder builder, string value)
    {
        var index = 0;
        while (index < value.Length)
        {
            // A lone surrogate cannot come from valid UTF-8; Go renders such input as U+FFFD.
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = 1;
            }

            index += consumed;
            AppendRune(builder, rune);
        }
    }

    private static void AppendRune(StringBuilder builder, Rune rune)
    {
        var r = rune.Value;
        if (r == '"' || r == '\\')
        {
            builder.Append('\\').Append((char)r);
            return;
        }

        if (IsPrint(rune))
        {
            builder.Append(rune.ToString());
            return;
        }

        switch (r)
        {
            case '\a': builder.Append("\\a"); return;
            case '\b': builder.Append("\\b"); return;
            case '\f': builder.Append("\\f"); return;
            case '\n': builder.Append("\\n"); return;
            case '\r': builder.Append("\\r"); return;
            case '\t': builder.Append("\\t"); return;
            case '\v': builder.Append("\\v"); return;
        }

        if (r < ' ' || r == 0x7f)
        {
            builder.Append("\\x").Append(Hex[r >> 4]).Append(Hex[r & 0xF]);
        }
        else if (r < 0x10000)
        {
            builder.Append("\\u");
            AppendHex(builder, r, 4);
        }
        else
        {
            builder.Append("\\U");
            AppendHex(builder, r, 8);
        }
    }

    private static void AppendHex(StringBuilder builder, int value, int digits)
    {
        for (var shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        {
            builder.Append(Hex[(value >> shift) & 0xF]);
        }
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }
}
