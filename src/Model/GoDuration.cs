using System.Globalization;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>
/// Duration text in the two dialects Loki uses, all values in nanoseconds: Go's <c>time.Duration</c>
/// (<c>time.ParseDuration</c>, <c>Duration.String</c>: <c>1h30m0s</c>, <c>250ms</c>; offsets, duration filters,
/// <c>unwrap duration</c>, error texts) and Prometheus' <c>model.Duration</c> (<c>1h30m</c>, <c>1d</c>; ranges,
/// limits, rule files).
/// </summary>
public static class GoDuration
{
    private const long Ns = 1, Us = 1000, Ms = 1_000_000, S = 1_000_000_000, M = 60 * S, H = 60 * M, D = 24 * H, W = 7 * D, Y = 365 * D;

    /// <summary>Go's <c>time.ParseDuration</c> exactly (e.g. <c>1h30m</c>, <c>250ms</c>, <c>-1.5s</c>; no d/w/y), with its error texts.</summary>
    public static bool TryParse(string s, out long nanoseconds, out string? error)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParseGo(s, days: false, out nanoseconds, out error);
    }

    /// <summary>Go's <c>time.ParseDuration</c> syntax that also accepts the units d, w and y (whole or fractional).</summary>
    public static bool TryParseWithDays(string s, out long nanoseconds) => TryParseGo(s, days: true, out nanoseconds, out _);

    /// <summary>
    /// Parses a duration the way LogQL's lexer does: Prometheus syntax first, then Go's <c>time.ParseDuration</c>
    /// (fractions, ns/us/µs units, sign) with d/w/y.
    /// </summary>
    public static bool TryParseLogQL(string s, out long nanoseconds) =>
        TryParsePrometheus(s, out nanoseconds, out _) || TryParseWithDays(s, out nanoseconds);

    private static bool TryParseGo(string s, bool days, out long nanoseconds, out string? error)
    {
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
            var unit = span[..u];
            span = span[u..];
            long scale = unit switch
            {
                "ns" => Ns,
                "us" or "µs" or "μs" => Us,
                "ms" => Ms,
                "s" => S,
                "m" => M,
                "h" => H,
                "d" when days => D,
                "w" when days => W,
                "y" when days => Y,
                _ => -1,
            };
            if (scale < 0)
            {
                error = $"time: unknown unit {GoQuote.Quote(unit.ToString())} in duration {GoQuote.Quote(orig)}";
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

    /// <summary>Prometheus' model.ParseDuration: integer amounts of y, w, d, h, m, s, ms in that order.</summary>
    public static bool TryParsePrometheus(string s, out long ns, out string? error)
    {
        ns = 0;
        error = null;
        if (s.Length == 0)
        {
            error = "empty duration string";
            return false;
        }
        if (s == "0")
        {
            return true;
        }
        ReadOnlySpan<(string Unit, long Mult)> order = [("y", Y), ("w", W), ("d", D), ("h", H), ("m", M), ("s", S), ("ms", Ms)];
        var next = 0;
        var i = 0;
        var any = false;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9')
            {
                i++;
            }
            if (i == start)
            {
                error = $"not a valid duration string: {GoQuote.Quote(s)}";
                return false;
            }
            var numText = s.AsSpan(start, i - start);
            var ustart = i;
            while (i < s.Length && char.IsAsciiLetterLower(s[i]))
            {
                i++;
            }
            var unit = s.AsSpan(ustart, i - ustart);
            var found = -1;
            for (var k = next; k < order.Length; k++)
            {
                if (unit.SequenceEqual(order[k].Unit))
                {
                    found = k;
                    break;
                }
            }
            if (found < 0 || !long.TryParse(numText, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                error = $"not a valid duration string: {GoQuote.Quote(s)}";
                return false;
            }
            try
            {
                ns = checked(ns + checked(n * order[found].Mult));
            }
            catch (OverflowException)
            {
                error = "duration out of range";
                return false;
            }
            next = found + 1;
            any = true;
        }
        return any;
    }

    /// <summary>Go's time.Duration.String(): <c>1h0m0s</c>, <c>1.5s</c>, <c>250ms</c>.</summary>
    public static string Format(long ns)
    {
        if (ns == 0)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        var u = ns < 0 ? (ulong)(-(ns + 1)) + 1 : (ulong)ns;
        if (ns < 0)
        {
            sb.Append('-');
        }
        if (u < S)
        {
            var (unit, div) = u < Us ? ("ns", 1UL) : u < Ms ? ("µs", (ulong)Us) : ("ms", (ulong)Ms);
            AppendFrac(sb, u, div);
            sb.Append(unit);
            return sb.ToString();
        }
        var totalSeconds = u / S;
        var frac = u % S;
        var hours = totalSeconds / 3600;
        var minutes = totalSeconds / 60 % 60;
        var seconds = totalSeconds % 60;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        AppendFrac(sb, (seconds * S) + frac, S);
        sb.Append('s');
        return sb.ToString();
    }

    private static void AppendFrac(StringBuilder sb, ulong value, ulong div)
    {
        sb.Append((value / div).ToString(CultureInfo.InvariantCulture));
        var rem = value % div;
        if (rem == 0)
        {
            return;
        }
        var digits = div.ToString(CultureInfo.InvariantCulture).Length - 1;
        var frac = rem.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        sb.Append('.').Append(frac);
    }

    /// <summary>Go's <c>time.Duration.String()</c> of <paramref name="duration"/>.</summary>
    public static string Format(TimeSpan duration) => Format(duration.Ticks * 100);

    /// <summary>Prometheus' model.Duration.String(): <c>1h30m</c>, <c>1d</c>, <c>100ms</c>, <c>0s</c>.</summary>
    public static string FormatPrometheus(long ns)
    {
        var ms = ns / Ms;
        if (ms == 0)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        if (ms < 0)
        {
            sb.Append('-');
            ms = -ms;
        }
        void Unit(string unit, long mult, bool exact)
        {
            if (exact && ms % mult != 0)
            {
                return;
            }
            var v = ms / mult;
            if (v > 0)
            {
                sb.Append(v.ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms -= v * mult;
            }
        }
        Unit("y", Y / Ms, true);
        Unit("w", W / Ms, true);
        Unit("d", D / Ms, false);
        Unit("h", H / Ms, false);
        Unit("m", M / Ms, false);
        Unit("s", S / Ms, false);
        Unit("ms", 1, false);
        return sb.ToString();
    }

    /// <summary>Prometheus' <c>model.Duration.String()</c> of <paramref name="duration"/>.</summary>
    public static string FormatPrometheus(TimeSpan duration) => FormatPrometheus(duration.Ticks * 100);
}
