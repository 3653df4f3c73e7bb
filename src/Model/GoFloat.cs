using System.Globalization;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>
/// Go's float text, each from the shortest digits that round-trip: <see cref="FormatJson"/> (encoding/json and pdata),
/// <see cref="FormatV"/> (fmt's %v: printed queries, templates) and <see cref="FormatF"/> (strconv 'f', -1).
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

    /// <summary>Formats like Go's strconv.FormatFloat(v, 'f', -1, 64) (Loki's sample values, printed label filters).</summary>
    public static string FormatF(double v)
    {
        if (double.IsFinite(v) && v.ToString("R", CultureInfo.InvariantCulture) is var r && !r.Contains('E', StringComparison.Ordinal))
        {
            // Already the shortest round-trip digits in plain notation.
            return r;
        }
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

    /// <summary>Formats like Go's strconv.FormatFloat(v, 'e', -1, 64): the shortest digits, as <c>1.5e+00</c>.</summary>
    public static string FormatE(double v)
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
            return double.IsNegative(v) ? "-0e+00" : "0e+00";
        }
        var (neg, digits, exp) = Decompose(v);
        var sb = new StringBuilder(digits.Length + 8);
        if (neg)
        {
            sb.Append('-');
        }
        sb.Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }
        sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
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
