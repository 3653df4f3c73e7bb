using System.Globalization;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>Loki's parsing of query-API timestamps, durations and steps.</summary>
public static class LokiTime
{
    /// <summary>
    /// Timestamps: RFC3339(Nano), a float of seconds (contains '.'), or an integer — seconds when it has at most
    /// 10 digits, nanoseconds otherwise (Loki's 10-digit rule).
    /// </summary>
    public static bool TryParseTimestamp(string? value, long defaultNs, out long ns)
    {
        ns = defaultNs;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        if (value.Contains('.') && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
        {
            var seconds = Math.Truncate(f);
            var frac = Math.Round((f - seconds) * 1000) / 1000;
            ns = (long)seconds * 1_000_000_000L + (long)(frac * 1e9);
            return true;
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            // Go's rule counts the characters of the text, a sign included.
            ns = value.Length <= 10 ? n * 1_000_000_000L : n;
            return true;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto)
            && value.Contains('T'))
        {
            ns = (dto.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
            ns += ExtraNanos(value);
            return true;
        }
        return false;
    }

    /// <summary>Sub-100ns digits of an RFC3339Nano fraction, which DateTimeOffset drops.</summary>
    private static long ExtraNanos(string value)
    {
        var dot = value.IndexOf('.');
        if (dot < 0)
        {
            return 0;
        }
        var end = dot + 1;
        while (end < value.Length && char.IsAsciiDigit(value[end]))
        {
            end++;
        }
        var digits = value[(dot + 1)..end];
        if (digits.Length <= 7)
        {
            return 0;
        }
        var nanos = long.Parse(digits.PadRight(9, '0')[..9], CultureInfo.InvariantCulture);
        return nanos % 100;
    }

    /// <summary>Step/interval: a float number of seconds or a Prometheus duration (<c>1m</c>, <c>1h30m</c>, <c>250ms</c>).</summary>
    public static bool TryParseSecondsOrDuration(string value, out long ns)
    {
        ns = 0;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > 9.2e9)
            {
                return false;
            }
            ns = (long)Math.Round(seconds * 1e9);
            return true;
        }
        return GoDuration.TryParsePrometheus(value, out ns, out _);
    }

    /// <summary>Loki's default step for range queries: <c>max(floor((end-start)/250), 1s)</c>.</summary>
    public static long DefaultStepNs(long startNs, long endNs) =>
        Math.Max((endNs - startNs) / 1_000_000_000L / 250, 1) * 1_000_000_000L;

    public static long NowNs(TimeProvider time) => (time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
}
