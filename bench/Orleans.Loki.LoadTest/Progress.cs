namespace Orleans.Loki.LoadTest;

/// <summary>
/// Prints "phase  42%" lines for long phases: at most one line per 10% so redirected output stays short.
/// </summary>
internal sealed class Progress(string phase, long total)
{
    private long _done;
    private int _lastDecile = -1;

    /// <summary>Adds <paramref name="amount"/> to the finished work and prints when a new tenth is reached.</summary>
    public void Advance(long amount)
    {
        var done = Interlocked.Add(ref _done, amount);
        var decile = total <= 0 ? 10 : (int)Math.Min(10, done * 10 / total);
        int last;
        while (decile > (last = Volatile.Read(ref _lastDecile)))
        {
            if (Interlocked.CompareExchange(ref _lastDecile, decile, last) == last)
            {
                Console.WriteLine($"  {phase,-22} {decile * 10,3}%");
                return;
            }
        }
    }
}
