using System.Globalization;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Go's time.ParseDuration (e.g. <c>1h30m</c>, <c>250ms</c>, <c>-1.5s</c>) with its error texts.</summary>
public static class GoDuration
{
    public static bool TryParse(string s, out long nanoseconds, out string? error)
    {
        ArgumentNullException.ThrowIfNull(s);
        nanoseconds = 0;
        error = null;
        var orig = s;
        var span = s.AsSpan();
        var neg = false;
        if (span.Length > 0 && (span[0] == '-' || span[0] == '+'))
        {
            neg = span[0] == '-';
            span = span[1..];
        }
        if (span.SequenceEqual("0"))
        {
            return true;
        }
        if (span.Length == 0)
        {
            error = $"time: invalid duration {GoQuote.Quote(orig)}";
            return false;
        }
        decimal total = 0;
        while (span.Length > 0)
        {
            var i = 0;
            while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.'))
            {
                i++;
            }
            var number = span[..i];
            if (number.Length == 0 || number.SequenceEqual(".") || number.Count('.') > 1)
            {
                error = $"time: invalid duration {GoQuote.Quote(orig)}";
                return false;
            }
            span = span[i..];
            var u = 0;
            while (u < span.Length && !(char.IsAsciiDigit(span[u]) || span[u] == '.'))
            {
                u++;
            }
            if (u == 0)
            {
                error = $"time: missing unit in duration {GoQuote.Quote(orig)}";
                return false;
            }
            var unit = span[..u].ToString();
            span = span[u..];
            decimal scale = unit switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (scale < 0)
            {
                error = $"time: unknown unit {GoQuote.Quote(unit)} in duration {GoQuote.Quote(orig)}";
                return false;
            }
            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                error = $"time: invalid duration {GoQuote.Quote(orig)}";
                return false;
            }
            total += value * scale;
            if (total > long.MaxValue)
            {
                error = $"time: invalid duration {GoQuote.Quote(orig)}";
                return false;
            }
        }
        nanoseconds = (long)decimal.Truncate(neg ? -total : total);
        return true;
    }

    /// <summary>Go's Duration.String (e.g. <c>1h2m3.5s</c>, <c>150ms</c>, <c>0s</c>).</summary>
    public static string Format(long ns)
    {
        if (ns == 0)
        {
            return "0s";
        }
        var neg = ns < 0;
        var u = neg ? (ulong)(-(ns + 1)) + 1 : (ulong)ns;
        string body;
        if (u < 1_000_000_000UL)
        {
            // sub-second: pick the largest unit
            body = u < 1_000 ? u + "ns" : u < 1_000_000 ? Frac(u, 1_000) + "µs" : Frac(u, 1_000_000) + "ms";
        }
        else
        {
            var secs = u / 1_000_000_000UL;
            var frac = u % 1_000_000_000UL;
            var h = secs / 3600;
            var m = secs / 60 % 60;
            var s = secs % 60;
            var sec = s.ToString(CultureInfo.InvariantCulture) + (frac == 0 ? "" : "." + frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0')) + "s";
            body = h > 0 ? $"{h}h{m}m{sec}" : m > 0 ? $"{m}m{sec}" : sec;
        }
        return neg ? "-" + body : body;

        static string Frac(ulong v, ulong unit)
        {
            var whole = v / unit;
            var frac = v % unit;
            var digits = unit == 1_000 ? 3 : 6;
            return frac == 0 ? whole.ToString(CultureInfo.InvariantCulture) : whole + "." + frac.ToString("D" + digits, CultureInfo.InvariantCulture).TrimEnd('0');
        }
    }
}
