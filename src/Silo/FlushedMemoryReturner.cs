using System.Runtime;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Silo;

/// <summary>
/// Gives the memory of flushed chunks back to the operating system: flushed chunks die in gen2 and the large object
/// heap, which a background GC only sweeps, so their pages stay committed (RSS stays at its peak after a large flush).
/// Every <see cref="Period"/>, once the silo's unflushed data has fallen by <c>ingester.return_memory_after_flushed_bytes</c>
/// from its highest point since the last return, one blocking, compacting, aggressive full GC runs (large object heap
/// included), which decommits the freed regions; at most one per <see cref="MinInterval"/>, so a burst of flushes (the
/// 30 s flush check flushing most chunks within about two seconds) is followed by a collection every second.
/// </summary>
public sealed partial class FlushedMemoryReturner(IngesterMemory memory, LokiSettings settings, TimeProvider time, ILogger<FlushedMemoryReturner> logger) : BackgroundService
{
    /// <summary>How often the unflushed bytes are looked at (a read of one counter).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Least time between two collections: under overload the early flushes of the memory cap free data every second,
    /// and a full GC each time would take the CPU that flushing needs.
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    private long _peak;
    private long _lastReturn = long.MinValue;

    /// <summary>Runs the collection; replaced in tests.</summary>
    internal Action Collect { get; init; } = ReturnMemory;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.ReturnMemoryAfterFlushedBytes <= 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>One look at the unflushed bytes: collects when they fell far enough since their peak.</summary>
    public bool Check()
    {
        var threshold = settings.ReturnMemoryAfterFlushedBytes;
        var unflushed = memory.UnflushedBytes;
        _peak = Math.Max(_peak, unflushed);
        var now = time.GetTimestamp();
        if (threshold <= 0 || _peak - unflushed < threshold
            || (_lastReturn != long.MinValue && time.GetElapsedTime(_lastReturn, now) < MinInterval))
        {
            return false;
        }
        var start = time.GetTimestamp();
        Collect();
        LogReturned(logger, _peak - unflushed, time.GetElapsedTime(start).TotalMilliseconds);
        _lastReturn = time.GetTimestamp();
        _peak = memory.UnflushedBytes;
        return true;
    }

    private static void ReturnMemory()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Flushed} bytes flushed since the last return: full compacting GC took {Milliseconds} ms")]
    private static partial void LogReturned(ILogger logger, long flushed, double milliseconds);
}
