using System.Diagnostics.CodeAnalysis;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// Loki's parsing of query-API timestamps, durations, steps and integers (pkg/loghttp/params.go), with Go's
/// <c>strconv</c> and <c>time.Parse(time.RFC3339Nano, ...)</c> rules and error texts.
/// </summary>
public static class LokiTime
{
    private const long NsPerSecond = 1_000_000_000L;

    /// <summary>
    /// Loki's <c>parseTimestamp</c>: empty is <paramref name="defaultNs"/>; text with a '.' that Go's ParseFloat reads
    /// is float seconds (the fraction rounded to milliseconds); else a base-10 integer is seconds when the text has at
    /// most 10 characters (a sign counts) and nanoseconds otherwise; else RFC3339Nano. On failure
    /// <paramref name="error"/> is the integer parse's error, as Loki reports it.
    /// </summary>
    public static bool TryParseTimestamp(string? value, long defaultNs, out long ns, [NotNullWhen(false)] out string? error)
    {
        ns = defaultNs;
        error = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        if (value.Contains('.') && GoFloat.TryParse(value, out var f, out _))
        {
            // math.Modf, then math.Round (half away from zero) of the fraction to milliseconds, then int64 truncation.
            var seconds = Math.Truncate(f);
            var frac = Math.Round((f - seconds) * 1000, MidpointRounding.AwayFromZero) / 1000;
            ns = unchecked(GoInt64(seconds) * NsPerSecond + GoInt64(frac * NsPerSecond));
            return true;
        }
        if (!TryParseGoInt(value, "ParseInt", out var n, out error))
        {
            if (TryParseRfc3339Nano(value, out ns))
            {
                error = null;
                return true;
            }
            ns = 0;
            return false;
        }
        ns = value.Length <= 10 ? unchecked(n * NsPerSecond) : n;
        return true;
    }

    /// <summary>As <see cref="TryParseTimestamp(string?, long, out long, out string?)"/>, without the error text.</summary>
    public static bool TryParseTimestamp(string? value, long defaultNs, out long ns) => TryParseTimestamp(value, defaultNs, out ns, out _);

    /// <summary>
    /// Loki's <c>parseSecondsOrDuration</c> (step, interval): Go's ParseFloat seconds, truncated to nanoseconds, or a
    /// Prometheus duration; <paramref name="error"/> is Loki's text.
    /// </summary>
    public static bool TryParseSecondsOrDuration(string value, out long ns, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (GoFloat.TryParse(value, out var seconds, out _))
        {
            var scaled = seconds * NsPerSecond;
            if (scaled > 9.223372036854775807e18 || scaled < -9.223372036854775808e18)
            {
                ns = 0;
                error = LokiErrors.Format(LokiErrors.DurationOverflowsErrorMsg, GoQuote.Quote(value));
                return false;
            }
            ns = GoInt64(scaled);
            return true;
        }
        if (GoDuration.TryParsePrometheus(value, out ns, out _))
        {
            return true;
        }
        ns = 0;
        error = LokiErrors.Format(LokiErrors.InvalidDurationErrorMsg, GoQuote.Quote(value));
        return false;
    }

    /// <summary>As <see cref="TryParseSecondsOrDuration(string, out long, out string?)"/>, without the error text.</summary>
    public static bool TryParseSecondsOrDuration(string value, out long ns) => TryParseSecondsOrDuration(value, out ns, out _);

    /// <summary>Loki's default step for range queries: <c>max(floor((end-start)/250s), 1)</c> seconds.</summary>
    public static long DefaultStepNs(long startNs, long endNs) =>
        (long)Math.Max(Math.Floor((endNs - startNs) / 1e9 / 250), 1) * NsPerSecond;

    public static long NowNs(TimeProvider time) => (time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>
    /// Go's <c>strconv.ParseInt(s, 10, 64)</c> (<paramref name="fn"/> <c>ParseInt</c>) or <c>strconv.Atoi</c>
    /// (<c>Atoi</c>): an optional sign and ASCII digits; the error text names the function as Go does.
    /// </summary>
    public static bool TryParseGoInt(string s, string fn, out long value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        error = null;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i = 1;
        }
        if (i == s.Length)
        {
            error = StrconvError(fn, s, LokiErrors.StrconvInvalidSyntax);
            return false;
        }
        ulong n = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is < '0' or > '9')
            {
                error = StrconvError(fn, s, LokiErrors.StrconvInvalidSyntax);
                return false;
            }
            // Go reports an overflow as soon as it happens, before looking at later characters.
            if (n > (ulong.MaxValue / 10) || (n * 10) + (ulong)(c - '0') < n * 10)
            {
                error = StrconvError(fn, s, LokiErrors.StrconvOutOfRange);
                return false;
            }
            n = (n * 10) + (ulong)(c - '0');
        }
        if ((!negative && n > long.MaxValue) || (negative && n > 1UL << 63))
        {
            error = StrconvError(fn, s, LokiErrors.StrconvOutOfRange);
            return false;
        }
        value = negative ? unchecked(-(long)n) : (long)n;
        return true;
    }

    private static string StrconvError(string fn, string s, string reason) =>
        LokiErrors.Format(LokiErrors.StrconvErrorMsg, fn, GoQuote.Quote(s), reason);

    /// <summary>Go's float64 to int64 conversion on amd64: truncation; NaN and values out of range give MinInt64.</summary>
    private static long GoInt64(double v) =>
        double.IsNaN(v) || v >= 9.223372036854775808e18 || v < -9.223372036854775808e18 ? long.MinValue : (long)v;

    /// <summary>
    /// Go's <c>time.Parse(time.RFC3339Nano, s)</c>: <c>2006-01-02T15:04:05[.frac]Z07:00</c> with a 4-digit year, 2-digit
    /// month, day, minute and second, a 1- or 2-digit hour, any number of fraction digits after '.' or ','
    /// (nanoseconds kept), and 'Z' or a <c>±hh:mm</c> offset; fields range-checked as Go does.
    /// </summary>
    public static bool TryParseRfc3339Nano(string s, out long ns)
    {
        ns = 0;
        var p = 0;
        if (!Digits(s, ref p, 4, out var year) || !Lit(s, ref p, '-') || !Digits(s, ref p, 2, out var month) || !Lit(s, ref p, '-') ||
            !Digits(s, ref p, 2, out var day) || !Lit(s, ref p, 'T'))
        {
            return false;
        }
        if (!Digits(s, ref p, 2, out var hour) && !Digits(s, ref p, 1, out hour))
        {
            return false;
        }
        if (!Lit(s, ref p, ':') || !Digits(s, ref p, 2, out var minute) || !Lit(s, ref p, ':') || !Digits(s, ref p, 2, out var second))
        {
            return false;
        }
        long nanos = 0;
        if (p + 1 < s.Length && s[p] is '.' or ',' && char.IsAsciiDigit(s[p + 1]))
        {
            p++;
            var digits = 0;
            while (p < s.Length && char.IsAsciiDigit(s[p]))
            {
                if (digits < 9)
                {
                    nanos = (nanos * 10) + (s[p] - '0');
                }
                digits++;
                p++;
            }
            for (var d = digits; d < 9; d++)
            {
                nanos *= 10;
            }
        }
        long offsetSeconds = 0;
        if (p < s.Length && s[p] == 'Z')
        {
            p++;
        }
        else if (p < s.Length && s[p] is '+' or '-')
        {
            var sign = s[p] == '-' ? -1 : 1;
            p++;
            if (!Digits(s, ref p, 2, out var oh) || !Lit(s, ref p, ':') || !Digits(s, ref p, 2, out var om) || oh > 24 || om > 60)
            {
                return false;
            }
            offsetSeconds = sign * ((oh * 3600L) + (om * 60L));
        }
        else
        {
            return false;
        }
        if (p != s.Length || month is < 1 or > 12 || hour > 23 || minute > 59 || second > 59 ||
            day < 1 || day > DaysIn(year, month))
        {
            return false;
        }
        var unixSeconds = (DaysFromCivil(year, month, day) * 86_400L) + (hour * 3600L) + (minute * 60L) + second - offsetSeconds;
        ns = unchecked((unixSeconds * NsPerSecond) + nanos);
        return true;
    }

    private static bool Lit(string s, ref int p, char c)
    {
        if (p < s.Length && s[p] == c)
        {
            p++;
            return true;
        }
        return false;
    }

    private static bool Digits(string s, ref int p, int count, out int value)
    {
        value = 0;
        if (p + count > s.Length)
        {
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            if (!char.IsAsciiDigit(s[p + i]))
            {
                return false;
            }
            value = (value * 10) + (s[p + i] - '0');
        }
        // A 1-digit hour must not be followed by another digit (that is the 2-digit form).
        if (count == 1 && p + 1 < s.Length && char.IsAsciiDigit(s[p + 1]))
        {
            return false;
        }
        p += count;
        return true;
    }

    private static int DaysIn(int year, int month) => month == 2
        ? (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28)
        : month is 4 or 6 or 9 or 11 ? 30 : 31;

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (year 0 included, as Go).</summary>
    private static long DaysFromCivil(int y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - (era * 400);
        var doy = ((153 * (m + (m > 2 ? -3 : 9))) + 2) / 5 + d - 1;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146_097L) + doe - 719_468;
    }
}
