using System.Globalization;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// Go's <c>strconv.ParseFloat(s, 64)</c>, with its error texts: decimal and hexadecimal (<c>0x1.8p1</c>, the
/// <c>p</c> exponent required) floats, <c>_</c> between digits, <c>inf</c>/<c>infinity</c> with an optional sign and
/// <c>nan</c> without one, any case. Integer literals with a base prefix (<c>0x1A</c>, <c>0o17</c>, <c>0b1010</c>) are
/// invalid syntax, as in Go; a finite text beyond the double range is "value out of range".
/// </summary>
public static class GoFloat
{
    public static bool TryParse(string s, out double value, out string? error)
    {
        error = null;
        if (TryParseCore(s, out value, out var outOfRange))
        {
            return true;
        }
        error = outOfRange
            ? $"strconv.ParseFloat: parsing {GoStrconv.Quote(s)}: value out of range"
            : $"strconv.ParseFloat: parsing {GoStrconv.Quote(s)}: invalid syntax";
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
