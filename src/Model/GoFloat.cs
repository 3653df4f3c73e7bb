using System.Globalization;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>
/// Go's ES6-style float rendering used by encoding/json and pdata: the shortest digits that round-trip,
/// fixed notation for 1e-6 &lt;= |f| &lt; 1e21, otherwise exponent notation such as <c>1e-7</c> or <c>1.5e+21</c>.
/// </summary>
public static class GoFloat
{
    public static string Format(double value)
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

    public static string FormatNonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : "-Inf";
}
