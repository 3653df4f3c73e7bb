using System.Globalization;

namespace Orleans.Loki.Model;

/// <summary>Renders timestamps the way Go's <c>time</c> package does, for Loki-compatible error texts.</summary>
public static class GoTime
{
    /// <summary>Go's <c>time.Time.String()</c> for a UTC time: <c>2006-01-02 15:04:05.999999999 +0000 UTC</c> (fraction without trailing zeros).</summary>
    public static string TimeString(long unixNs)
    {
        var (dt, nanos) = Split(unixNs);
        var text = dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (nanos != 0)
        {
            text += "." + nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }
        return text + " +0000 UTC";
    }

    /// <summary>Go's <c>time.RFC3339</c> layout for a UTC time: <c>2006-01-02T15:04:05Z</c>.</summary>
    public static string Rfc3339(long unixNs) =>
        Split(unixNs).Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static (DateTime Time, long Nanos) Split(long unixNs)
    {
        var seconds = Math.DivRem(unixNs, 1_000_000_000L, out var nanos);
        if (nanos < 0)
        {
            seconds--;
            nanos += 1_000_000_000L;
        }
        seconds = Math.Clamp(seconds, -62135596800L, 253402300799L);
        return (DateTime.UnixEpoch.AddSeconds(seconds), nanos);
    }
}
