using System.Globalization;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>
/// Go's float text, each from the shortest digits that round-trip: <see cref="FormatJson"/> (encoding/json and pdata),
/// <see cref="FormatV"/> (fmt's %v: printed queries, templates) and <see cref="FormatF"/> (strconv 'f', -1); and
/// <see cref="TryParse"/>, Go's <c>strconv.ParseFloat(s, 64)</c> with its error texts: decimal and hexadecimal
/// (<c>0x1.8p1</c>, the <c>p</c> exponent required) floats, <c>_</c> between digits, <c>inf</c>/<c>infinity</c> with an
/// optional sign and <c>nan</c> without one, any case. Integer literals with a base prefix (<c>0x1A</c>, <c>0o17</c>,
/// <c>0b1010</c>) are invalid syntax, as in Go; a finite text beyond the double range is "value out of range".
/// </summary>
public static class GoFloat
{
    /// <summary>
    /// Go's ES6-style rendering used by encoding/json and pdata: fixed notation for 1e-6 &lt;= |f| &lt; 1e21, otherwise
    /// exponent notation such as <c>1e-7</c> or <c>1.5e+21</c>.
    /// </summary>
    public static string FormatJson(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // "E16" is not shortest; "R" is, so take its digits and exponent and lay them out again.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest[0] == '-';
        var text = negative ? shortest[1..] : shortest;
        var exponentAt = text.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt >= 0 ? text[..exponentAt] : text;
        var exponent = exponentAt >= 0 ? int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.');
        var digits = dot >= 0 ? mantissa.Remove(dot, 1) : mantissa;
        var pointPosition = (dot >= 0 ? dot : mantissa.Length) + exponent;

        // Strip leading zeros (e.g. "0.001") so digits[0] is significant.
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..];
        pointPosition -= leading;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var abs = Math.Abs(value);
        var builder = new StringBuilder(digits.Length + 8);
        if (negative)
        {
            builder.Append('-');
        }

        if (abs < 1e-6 || abs >= 1e21)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var e = pointPosition - 1;
            builder.Append('e').Append(e < 0 ? '-' : '+');
            var magnitude = Math.Abs(e);

            // Go writes at least two exponent digits, then encoding/json trims "e-07" to "e-7".
            builder.Append(e < 0 || magnitude >= 10 ? magnitude.ToString(CultureInfo.InvariantCulture) : magnitude.ToString("00", CultureInfo.InvariantCulture));
            return builder.ToString();
        }

        if (pointPosition <= 0)
        {
            builder.Append("0.").Append('0', -pointPosition).Append(digits);
        }
        else if (pointPosition >= digits.Length)
        {
            builder.Append(digits).Append('0', pointPosition - digits.Length);
        }
        else
        {
            builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
        }

        return builder.ToString();
    }

    /// <summary>Prometheus' text for NaN and the infinities.</summary>
    public static string FormatNonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : "-Inf";

    /// <summary>Formats like Go's fmt.Sprint(float64) (%v: shortest %g, exponent when exp &lt; -4 or &gt;= 6).</summary>
    public static string FormatV(double v)
    {
        if (TryFormatSpecial(v, exponent: false, out var special))
        {
            return special;
        }
        var (neg, digits, exp) = Decompose(v);
        var sb = new StringBuilder(digits.Length + 8);
        if (neg)
        {
            sb.Append('-');
        }
        // %v is %g with the shortest digits; Go then picks %e when exp < -4 || exp >= 6 (1e6 prints as 1e+06).
        if (exp < -4 || exp >= 6)
        {
            AppendExponent(sb, digits, exp);
        }
        else
        {
            AppendPlain(sb, digits, exp);
        }
        return sb.ToString();
    }

    /// <summary>Formats like Go's strconv.FormatFloat(v, 'f', -1, 64) (Loki's sample values, printed label filters).</summary>
    public static string FormatF(double v)
    {
        if (double.IsFinite(v) && v.ToString("R", CultureInfo.InvariantCulture) is var r && !r.Contains('E', StringComparison.Ordinal))
        {
            // Already the shortest round-trip digits in plain notation.
            return r;
        }
        if (TryFormatSpecial(v, exponent: false, out var special))
        {
            return special;
        }
        var (neg, digits, exp) = Decompose(v);
        var sb = new StringBuilder(digits.Length + 8);
        if (neg)
        {
            sb.Append('-');
        }
        AppendPlain(sb, digits, exp);
        return sb.ToString();
    }

    /// <summary>Formats like Go's strconv.FormatFloat(v, 'e', -1, 64): the shortest digits, as <c>1.5e+00</c>.</summary>
    public static string FormatE(double v)
    {
        if (TryFormatSpecial(v, exponent: true, out var special))
        {
            return special;
        }
        var (neg, digits, exp) = Decompose(v);
        var sb = new StringBuilder(digits.Length + 8);
        if (neg)
        {
            sb.Append('-');
        }
        AppendExponent(sb, digits, exp);
        return sb.ToString();
    }

    /// <summary>NaN, the infinities and the zeros, which have no digits to lay out.</summary>
    private static bool TryFormatSpecial(double v, bool exponent, out string text)
    {
        if (!double.IsFinite(v))
        {
            text = FormatNonFinite(v);
            return true;
        }
        if (v == 0)
        {
            text = (double.IsNegative(v) ? "-0" : "0") + (exponent ? "e+00" : "");
            return true;
        }
        text = "";
        return false;
    }

    /// <summary><c>d.ddde±XX</c>: Go writes at least two exponent digits.</summary>
    private static void AppendExponent(StringBuilder sb, string digits, int exp)
    {
        sb.Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }
        sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
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

    // ---- parsing: Go's strconv.ParseFloat(s, 64)

    public static bool TryParse(string s, out double value, out string? error)
    {
        error = null;
        if (TryParseCore(s, out value, out var outOfRange))
        {
            return true;
        }
        error = outOfRange
            ? $"strconv.ParseFloat: parsing {GoQuote.Quote(s)}: value out of range"
            : $"strconv.ParseFloat: parsing {GoQuote.Quote(s)}: invalid syntax";
        return false;
    }

    private static bool TryParseCore(string s, out double value, out bool outOfRange)
    {
        value = 0;
        outOfRange = false;
        if (s.Length == 0)
        {
            return false;
        }
        var body = s.AsSpan();
        var negative = false;
        var signed = body[0] is '+' or '-';
        if (signed)
        {
            negative = body[0] == '-';
            body = body[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return !signed;
        }
        if (body.Contains('_') && !UnderscoresOk(body))
        {
            return false;
        }
        var text = body.Contains('_') ? body.ToString().Replace("_", "", StringComparison.Ordinal) : body.ToString();
        double magnitude;
        if (text.Length > 2 && text[0] == '0' && (text[1] is 'x' or 'X'))
        {
            if (!TryParseHex(text.AsSpan(2), out magnitude))
            {
                return false;
            }
        }
        else
        {
            if (text.Length == 0 || !(char.IsAsciiDigit(text[0]) || text[0] == '.') || text.Contains('x') || text.Contains('X') ||
                !double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out magnitude))
            {
                return false;
            }
        }
        if (double.IsInfinity(magnitude))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            outOfRange = true;
            return false;
        }
        value = negative ? -magnitude : magnitude;
        return true;
    }

    /// <summary>Hex mantissa (digits, one optional point, at least one digit) and a required binary exponent.</summary>
    private static bool TryParseHex(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        var mantissa = 0.0;
        var scale = 0;
        var digits = 0;
        var seenPoint = false;
        var i = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.')
            {
                if (seenPoint)
                {
                    return false;
                }
                seenPoint = true;
                continue;
            }
            if (!char.IsAsciiHexDigit(c))
            {
                break;
            }
            mantissa = (mantissa * 16) + HexValue(c);
            digits++;
            if (seenPoint)
            {
                scale -= 4;
            }
        }
        if (digits == 0 || i >= s.Length || s[i] is not ('p' or 'P'))
        {
            return false;
        }
        var exponentText = s[(i + 1)..];
        if (exponentText.Length == 0 || !int.TryParse(exponentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) ||
            !(char.IsAsciiDigit(exponentText[^1])))
        {
            return false;
        }
        value = mantissa * Math.Pow(2, (double)exponent + scale);
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (char.ToLowerInvariant(c) - 'a') + 10;

    /// <summary>Go's <c>underscoreOK</c>: an underscore only between digits, or between a base prefix and a digit.</summary>
    private static bool UnderscoresOk(ReadOnlySpan<char> s)
    {
        var saw = '^';
        var i = 0;
        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c)))
            {
                saw = '0';
                continue;
            }
            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }
                saw = '_';
                continue;
            }
            if (saw == '_')
            {
                return false;
            }
            saw = '!';
        }
        return saw != '_';
    }
}
