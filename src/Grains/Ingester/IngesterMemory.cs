using System.Collections.Concurrent;
using Orleans.Loki.Grains.Abstractions;
using Prometheus;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// The silo's unflushed in-memory data (head and cut-but-unflushed chunks of its stream grains) against
/// <c>ingester.max_unflushed_bytes</c>: over the cap, stream grains refuse pushes with 503 before anything is
/// appended, and <see cref="MemoryPressureFlusher"/> flushes the largest streams early until memory is back under it.
/// As the process's <see cref="IPushMemoryBudget"/> it also admits push requests: their bodies count against the
/// same cap from before they are read, so many concurrent pushes cannot take the process past it either.
/// </summary>
public sealed class IngesterMemory : IPushMemoryBudget
{
    /// <summary>Share of the memory available to the process that the cap takes when it is not configured.</summary>
    public const double AutoShare = 0.3;

    /// <summary>The reason of refused entries in <c>loki_discarded_*</c> and in push answers.</summary>
    public const string Reason = RejectReasons.IngesterMemoryLimit;

    private static readonly Gauge s_limit = Metrics.CreateGauge(
        "loki_ingester_memory_limit_bytes", "ingester.max_unflushed_bytes in force on this silo (0: no cap).");
    private static readonly Gauge s_inFlight = Metrics.CreateGauge(
        "loki_ingester_memory_in_flight_bytes", "Bytes reserved by push requests being read, decoded and distributed, counted against ingester.max_unflushed_bytes.");

    private readonly ConcurrentDictionary<string, long> _streams = new(StringComparer.Ordinal);
    private long _unflushed;
    private long _inFlight;

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

    /// <summary>Bytes reserved by push requests in flight.</summary>
    public long InFlightBytes => Volatile.Read(ref _inFlight);

    /// <inheritdoc />
    public long CommittedBytes => UnflushedBytes + InFlightBytes;

    /// <summary>True when pushes must be refused.</summary>
    public bool OverLimit => LimitBytes > 0 && UnflushedBytes >= LimitBytes;

    /// <inheritdoc />
    public bool TryReserve(long bytes)
    {
        if (LimitBytes <= 0)
        {
            return true;
        }
        while (true)
        {
            var inFlight = Volatile.Read(ref _inFlight);
            if (UnflushedBytes + inFlight >= LimitBytes)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _inFlight, inFlight + bytes, inFlight) == inFlight)
            {
                s_inFlight.Set(inFlight + bytes);
                return true;
            }
        }
    }

    /// <inheritdoc />
    public void Grow(long bytes) => s_inFlight.Set(Interlocked.Add(ref _inFlight, bytes));

    /// <inheritdoc />
    public void Release(long bytes) => s_inFlight.Set(Interlocked.Add(ref _inFlight, -bytes));

    /// <inheritdoc />
    public string AdmissionRefusal(string tenant) =>
        $"ingester memory limit reached for user '{tenant}': {UnflushedBytes} bytes of unflushed data and {InFlightBytes} " +
        $"bytes of pushes in flight in memory, ingester.max_unflushed_bytes is {LimitBytes}; retry later";

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
