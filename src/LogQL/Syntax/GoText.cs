using System.Globalization;
using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Go's text conventions that LogQL inherits: string quoting/unquoting (strconv.Quote, Go escapes)
/// and float formatting (fmt's %v and strconv's 'f', -1). Printed queries must match Loki's output.
/// </summary>
public static class GoText
{
    /// <summary>Quotes like Go's strconv.Quote: printable runes kept, the rest escaped.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendQuoted(sb, s);
        return sb.ToString();
    }

    /// <summary>Appends <paramref name="s"/> quoted like Go's strconv.Quote.</summary>
    public static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
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
            if (IsPrintable(rune))
            {
                sb.Append(rune.ToString());
            }
            else if (c < 0x80)
            {
                sb.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (c == 0xFFFD)
            {
                // Invalid UTF-16 input was replaced while enumerating; Go prints the replacement as \ufffd.
                sb.Append("\\ufffd");
            }
            else if (c <= 0xFFFF)
            {
                sb.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\U").Append(c.ToString("x8", CultureInfo.InvariantCulture));
            }
        }
        sb.Append('"');
    }

    private static bool IsPrintable(Rune r)
    {
        if (r.Value < 0x20 || r.Value == 0x7F)
        {
            return false;
        }
        if (r.Value < 0x7F)
        {
            return true;
        }
        var cat = Rune.GetUnicodeCategory(r);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            UnicodeCategory.SpaceSeparator => r.Value == 0x20,
            _ => true,
        };
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

    /// <summary>Formats like Go's fmt.Sprint(float64) (%v: shortest %g, exponent when exp &lt; -4 or &gt;= 6).</summary>
    public static string FormatFloatV(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }
        var (neg, digits, exp) = Decompose(v);
        var sb = new StringBuilder();
        if (neg)
        {
            sb.Append('-');
        }
        // %v is %g with the shortest digits; Go then picks %e when exp < -4 || exp >= 6 (1e6 prints as 1e+06).
        if (exp < -4 || exp >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var abs = Math.Abs(exp);
            if (abs < 10)
            {
                sb.Append('0');
            }
            sb.Append(abs.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        AppendPlain(sb, digits, exp);
        return sb.ToString();
    }

    /// <summary>Formats like Go's strconv.FormatFloat(v, 'f', -1, 64).</summary>
    public static string FormatFloatF(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }
        var (neg, digits, exp) = Decompose(v);
        var sb = new StringBuilder();
        if (neg)
        {
            sb.Append('-');
        }
        AppendPlain(sb, digits, exp);
        return sb.ToString();
    }

    private static void AppendPlain(StringBuilder sb, string digits, int exp)
    {
        // value = 0.d1d2d3... * 10^(exp+1)
        var pointPos = exp + 1;
        if (pointPos <= 0)
        {
            sb.Append("0.").Append('0', -pointPos).Append(digits);
        }
        else if (pointPos >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPos - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
    }

    // Shortest round-trip digits and decimal exponent of the first digit.
    private static (bool Neg, string Digits, int Exp) Decompose(double v)
    {
        var shortest = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        // Parse the shortest form into digits and exponent.
        var mantissa = shortest;
        var exp = 0;
        var ei = shortest.IndexOfAny(['E', 'e']);
        if (ei >= 0)
        {
            mantissa = shortest[..ei];
            exp = int.Parse(shortest.AsSpan(ei + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        var dot = mantissa.IndexOf('.');
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var firstNonZero = 0;
        while (firstNonZero < all.Length - 1 && all[firstNonZero] == '0')
        {
            firstNonZero++;
        }
        var digits = all[firstNonZero..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        var decExp = intPart.Length - 1 - firstNonZero + exp;
        return (v < 0, digits, decExp);
    }
}
