namespace Orleans.Loki.Testing;

/// <summary>
/// Waiting for a condition that a background process makes true (a rule evaluating on its own timer, a silo being
/// declared dead): probes with a short back-off until it holds or the timeout passes, then fails with the last value.
/// Use a signal instead where the code under test offers one.
/// </summary>
public static class Eventually
{
    /// <summary>Probes until <paramref name="condition"/> holds; returns the value that satisfied it.</summary>
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        var last = await probe();
        while (!condition(last))
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{what} not reached within {timeout.TotalSeconds}s; last: {last}");
            }
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(250, delay.TotalMilliseconds * 2));
            last = await probe();
        }
        return last;
    }

    /// <summary>Checks until <paramref name="condition"/> returns true.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        HoldsAsync(() => Task.FromResult(condition()), static ok => ok, timeout, what);

    /// <summary>Probes until <paramref name="condition"/> returns true.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        HoldsAsync(condition, static ok => ok, timeout, what);
}
