using System.Globalization;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Go's strconv.ParseFloat for label values, with its error text.</summary>
internal static class GoFloat
{
    public static bool TryParse(string s, out double value, out string? error)
    {
        error = null;
        var t = s.AsSpan();
        var sign = 1.0;
        var body = t;
        if (body.Length > 0 && (body[0] == '+' || body[0] == '-'))
        {
            sign = body[0] == '-' ? -1 : 1;
            body = body[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase) && t.Length == body.Length)
        {
            value = double.NaN;
            return true;
        }
        if (body.Length > 0 && (char.IsAsciiDigit(body[0]) || body[0] == '.') &&
            double.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            if (double.IsInfinity(value))
            {
                error = $"strconv.ParseFloat: parsing {GoQuote.Quote(s)}: value out of range";
                return false;
            }
            return true;
        }
        value = 0;
        error = $"strconv.ParseFloat: parsing {GoQuote.Quote(s)}: invalid syntax";
        return false;
    }
}
