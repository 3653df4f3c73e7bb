namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>A Go time.Time: an instant with nanosecond precision and a zone.</summary>
internal readonly record struct GoTime(long UnixSeconds, int Nanos, TimeZoneInfo Zone)
{
    public static GoTime FromUnixNanos(long ns, TimeZoneInfo? zone = null)
    {
        var sec = Math.DivRem(ns, 1_000_000_000L, out var rem);
        if (rem < 0)
        {
            rem += 1_000_000_000L;
            sec--;
        }
        return new GoTime(sec, (int)rem, zone ?? TimeZoneInfo.Utc);
    }

    public bool IsZero => UnixSeconds == ZeroUnixSeconds && Nanos == 0;

    /// <summary>Unix seconds of Go's zero time (0001-01-01 00:00:00 UTC).</summary>
    public const long ZeroUnixSeconds = -62135596800L;

    public static GoTime Zero => new(ZeroUnixSeconds, 0, TimeZoneInfo.Utc);

    public long UnixNanos => UnixSeconds * 1_000_000_000L + Nanos;

    public TimeSpan Offset => Zone.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(UnixSeconds, -62135596800L, 253402300799L)));

    /// <summary>Wall clock in the time's zone (100 ns precision; sub-tick digits come from <see cref="Nanos"/>).</summary>
    public DateTime Local => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(UnixSeconds, -62135596800L, 253402300799L)).ToOffset(Offset).DateTime;

    public string ZoneAbbreviation
    {
        get
        {
            if (Zone == TimeZoneInfo.Utc || Zone.Id is "UTC" or "Etc/UTC")
            {
                return "UTC";
            }
            var off = Offset;
            var sign = off < TimeSpan.Zero ? '-' : '+';
            off = off.Duration();
            return off.Minutes == 0 ? $"{sign}{off.Hours:00}" : $"{sign}{off.Hours:00}{off.Minutes:00}";
        }
    }

    public override string ToString() => GoTimeFormat.Format(this, "2006-01-02 15:04:05.999999999 -0700 MST");
}
