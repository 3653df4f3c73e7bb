namespace Orleans.Loki.Model;

/// <summary>
/// Nanosecond time constants and the UTC day partition of the index. Every part of the system that maps a timestamp
/// to a day (the index grains, the ingesters registering streams, the read path, the compactor) uses this one integer
/// division, so an entry is always looked up under the day it was indexed under.
/// </summary>
public static class TimePartition
{
    /// <summary>Nanoseconds per second.</summary>
    public const long SecondNs = 1_000_000_000L;

    /// <summary>Nanoseconds per UTC day.</summary>
    public const long DayNs = 86_400L * SecondNs;

    /// <summary>The UTC day (days since the Unix epoch, floored) of <paramref name="timestampNs"/>.</summary>
    public static int DayOf(long timestampNs)
    {
        var day = timestampNs / DayNs;
        if (timestampNs % DayNs < 0)
        {
            day--;
        }
        return (int)day;
    }

    /// <summary>The first nanosecond of <paramref name="day"/>.</summary>
    public static long DayStartNs(int day) => day * DayNs;
}
