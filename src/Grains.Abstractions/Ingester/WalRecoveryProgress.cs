namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// How far this silo's start-up WAL replay is: <c>/ready</c> answers 503 with this progress until every stream that
/// had WAL data is back in memory. Without a recovery service (an embedded cluster in tests) it is done from the start.
/// </summary>
public sealed class WalRecoveryProgress
{
    private int _running;
    private int _total = -1;
    private int _done;

    /// <summary>True once the replay finished (or none was started).</summary>
    public bool Done => Volatile.Read(ref _running) == 0;

    /// <summary>Streams to replay (-1 while the WAL is still being listed).</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Streams replayed so far.</summary>
    public int Recovered => Volatile.Read(ref _done);

    /// <summary>Marks the replay as under way.</summary>
    public void Begin() => Volatile.Write(ref _running, 1);

    /// <summary>The number of streams found in the WAL.</summary>
    public void Found(int streams) => Volatile.Write(ref _total, streams);

    /// <summary>One more stream replayed.</summary>
    public void StreamRecovered() => Interlocked.Increment(ref _done);

    /// <summary>Marks the replay as finished.</summary>
    public void End() => Volatile.Write(ref _running, 0);

    /// <summary>A one-line description for <c>/ready</c>.</summary>
    public string Describe() => Total < 0
        ? "replaying the write-ahead log (listing segments)"
        : $"replaying the write-ahead log ({Recovered}/{Total} streams)";
}
