using System.Collections.Concurrent;
using Orleans.Loki.Grains.Abstractions;
using Prometheus;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// The silo's unflushed in-memory data (head and cut-but-unflushed chunks of its stream grains) against
/// <c>ingester.max_unflushed_bytes</c>: over the cap, stream grains refuse pushes with 503 before anything is
/// appended, and <see cref="MemoryPressureFlusher"/> flushes the largest streams early until memory is back under it.
/// </summary>
public sealed class IngesterMemory
{
    /// <summary>Share of the memory available to the process that the cap takes when it is not configured.</summary>
    public const double AutoShare = 0.3;

    /// <summary>The reason of refused entries in <c>loki_discarded_*</c> and in push answers.</summary>
    public const string Reason = RejectReasons.IngesterMemoryLimit;

    private static readonly Gauge s_limit = Metrics.CreateGauge(
        "loki_ingester_memory_limit_bytes", "ingester.max_unflushed_bytes in force on this silo (0: no cap).");

    private readonly ConcurrentDictionary<string, long> _streams = new(StringComparer.Ordinal);
    private long _unflushed;

    /// <param name="configured">
    /// <c>ingester.max_unflushed_bytes</c>: null sizes the cap from the memory available to the process (the container
    /// limit or <c>GCHeapHardLimit</c> where one is set, else the machine's), 0 disables it.
    /// </param>
    public IngesterMemory(long? configured)
    {
        LimitBytes = configured ?? (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * AutoShare);
        s_limit.Set(LimitBytes);
    }

    /// <summary>The cap in bytes; 0 when there is none.</summary>
    public long LimitBytes { get; }

    /// <summary>Unflushed line and metadata bytes of this silo's stream grains.</summary>
    public long UnflushedBytes => Volatile.Read(ref _unflushed);

    /// <summary>True when pushes must be refused.</summary>
    public bool OverLimit => LimitBytes > 0 && UnflushedBytes >= LimitBytes;

    /// <summary>The text of a refused push.</summary>
    public string RefusalMessage(string tenant, string labels) =>
        $"ingester memory limit reached for user '{tenant}', stream {labels}: {UnflushedBytes} bytes of unflushed data " +
        $"in memory, ingester.max_unflushed_bytes is {LimitBytes}; retry later";

    /// <summary>A stream grain's unflushed bytes changed to <paramref name="bytes"/> (0 when it deactivates).</summary>
    public void Report(string stream, long previous, long bytes)
    {
        Interlocked.Add(ref _unflushed, bytes - previous);
        if (bytes == 0)
        {
            _streams.TryRemove(stream, out _);
        }
        else
        {
            _streams[stream] = bytes;
        }
    }

    /// <summary>The largest streams whose flush brings the unflushed bytes down to <paramref name="targetBytes"/>.</summary>
    public List<string> LargestStreamsAbove(long targetBytes)
    {
        var excess = UnflushedBytes - targetBytes;
        var chosen = new List<string>();
        if (excess <= 0)
        {
            return chosen;
        }
        foreach (var (stream, bytes) in _streams.ToArray().OrderByDescending(s => s.Value))
        {
            chosen.Add(stream);
            excess -= bytes;
            if (excess <= 0)
            {
                break;
            }
        }
        return chosen;
    }
}
