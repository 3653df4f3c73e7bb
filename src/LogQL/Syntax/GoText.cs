using System.Globalization;
using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Go's float formatting that LogQL inherits (fmt's %v and strconv's 'f', -1); quoting is <see cref="Model.GoQuote"/>.
/// Printed queries must match Loki's output.
/// </summary>
public static class GoText
{
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
