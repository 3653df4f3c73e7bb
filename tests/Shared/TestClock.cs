namespace Orleans.Loki.Testing;

/// <summary>The wall clock as the tests push it: Unix nanoseconds, millisecond-aligned (as clients send them).</summary>
public static class TestClock
{
    /// <summary>Now, in Unix nanoseconds truncated to the millisecond.</summary>
    public static long NowNs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
}
