using System.Globalization;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Duration parsing and printing in the two dialects LogQL uses: Prometheus' model.Duration
/// (ranges, printed as <c>1h30m</c>) and Go's time.Duration (offsets and duration filters, printed as <c>1h30m0s</c>).
/// All values are nanoseconds.
/// </summary>
public static class DurationText
{
    private const long Ns = 1, Us = 1000, Ms = 1_000_000, S = 1_000_000_000, M = 60 * S, H = 60 * M, D = 24 * H, W = 7 * D, Y = 365 * D;

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

    /// <summary>
    /// Parses a duration the way LogQL's lexer does: Prometheus syntax first, then Go's time.ParseDuration
    /// (fractions, ns/us/µs units, sign).
    /// </summary>
    public static bool TryParse(string s, out long ns)
    {
        if (TryParsePrometheus(s, out ns, out _))
        {
            return true;
        }
        return TryParseGo(s, out ns);
    }

    /// <summary>Go's time.ParseDuration (also accepting d, w, y as Loki's fallback chain effectively does for whole numbers).</summary>
    public static bool TryParseGo(string s, out long ns)
    {
        ns = 0;
        var i = 0;
        var neg = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            neg = s[i] == '-';
            i++;
        }
        if (s.AsSpan(i) is "0")
        {
            return true;
        }
        if (i >= s.Length)
        {
            return false;
        }
        decimal total = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }
            var ustart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }
            long mult = s.AsSpan(ustart, i - ustart) switch
            {
                "ns" => Ns,
                "us" or "µs" or "μs" => Us,
                "ms" => Ms,
                "s" => S,
                "m" => M,
                "h" => H,
                "d" => D,
                "w" => W,
                "y" => Y,
                _ => 0,
            };
            if (mult == 0)
            {
                return false;
            }
            total += amount * mult;
            if (total > long.MaxValue)
            {
                return false;
            }
        }
        ns = (long)decimal.Truncate(neg ? -total : total);
        return true;
    }

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

    /// <summary>Go's time.Duration.String(): <c>1h0m0s</c>, <c>1.5s</c>, <c>250ms</c>.</summary>
    public static string FormatGo(long ns)
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
}
