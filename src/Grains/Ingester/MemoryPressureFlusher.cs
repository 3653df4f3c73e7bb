using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// Once a second, when the silo's unflushed data passes <see cref="HighWater"/> of <c>ingester.max_unflushed_bytes</c>,
/// flushes the largest streams (every chunk, head included) until it would be back at <see cref="LowWater"/>: pushes
/// that outrun flushes meet the cap's 503 for as short a time as the object store allows.
/// </summary>
public sealed partial class MemoryPressureFlusher(IngesterMemory memory, IGrainFactory grains, TimeProvider time, ILogger<MemoryPressureFlusher> logger) : BackgroundService
{
    /// <summary>Share of the cap above which streams are flushed early.</summary>
    public const double HighWater = 0.7;

    /// <summary>Share of the cap early flushes bring the unflushed data down to.</summary>
    public const double LowWater = 0.5;

    /// <summary>Streams flushed at once.</summary>
    private const int Parallelism = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (memory.LimitBytes <= 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RelieveAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>One check: flushes the largest streams when over the high-water mark.</summary>
    public async Task RelieveAsync(CancellationToken ct)
    {
        // Pushes in flight count towards the high-water mark (they are about to become unflushed data), but only
        // flushing brings anything down: the target leaves room for them.
        if (memory.LimitBytes <= 0 || memory.CommittedBytes < memory.LimitBytes * HighWater)
        {
            return;
        }
        var streams = memory.LargestStreamsAbove((long)(memory.LimitBytes * LowWater) - memory.InFlightBytes);
        LogPressure(logger, memory.UnflushedBytes, memory.LimitBytes, streams.Count);
        await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (stream, _) =>
        {
            try
            {
                await GrainRefs.Get<IStreamGrain>(grains, stream).FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; the WAL keeps everything meanwhile.
                LogFlushFailed(logger, e, stream);
            }
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unflushed data {Unflushed} bytes is near ingester.max_unflushed_bytes {Limit}: flushing the {Streams} largest streams early")]
    private static partial void LogPressure(ILogger logger, long unflushed, long limit, int streams);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Early flush of stream {Stream} failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string stream);
}
