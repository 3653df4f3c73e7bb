using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// On start-up, activates every stream grain that has WAL segments, so data acknowledged before a crash is replayed,
/// becomes queryable and is eventually flushed even if its stream never receives another push.
/// Registered after the silo so that it runs once the silo accepts grain calls. Streams replay in parallel (each is
/// one grain activation reading its own segments); <see cref="WalRecoveryProgress"/> tells <c>/ready</c> how far it is.
/// </summary>
public sealed partial class WalRecoveryService : BackgroundService
{
    /// <summary>
    /// Stream activations asked to recover at once. The replay work itself runs on the <see cref="WalReplayScheduler"/>,
    /// whose thread count (one per core) bounds how much of it runs at a time.
    /// </summary>
    private static readonly int s_parallelism = Math.Max(8, Environment.ProcessorCount * 4);

    private readonly IObjectStore _store;
    private readonly SiloWal _siloWal;
    private readonly IGrainFactory _grains;
    private readonly WalRecoveryProgress _progress;
    private readonly ILogger<WalRecoveryService> _logger;

    public WalRecoveryService(IObjectStore store, SiloWal siloWal, IGrainFactory grains, WalRecoveryProgress progress, ILogger<WalRecoveryService> logger)
    {
        _store = store;
        _siloWal = siloWal;
        _grains = grains;
        _progress = progress;
        _logger = logger;
        // Not ready from the moment the host is built until the replay finished.
        progress.Begin();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _progress.End();
        }
    }

    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        var store = _store;
        var logger = _logger;
        // The silo WAL of a previous run (or of a dead silo) becomes per-stream segments first, so the listing sees them.
        await _siloWal.RecoverOrphansAsync(stoppingToken).ConfigureAwait(false);
        var streams = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(StorageKeys.WalPrefix, stoppingToken).ConfigureAwait(false))
        {
            // wal/{tenant}/{stream}/{segment}
            var parts = info.Key.Split('/');
            if (parts.Length == 4 && parts[3] != StorageKeys.WalLabelsName)
            {
                streams.Add(parts[1] + "/" + parts[2]);
            }
        }
        _progress.Found(streams.Count);
        if (streams.Count == 0)
        {
            return;
        }

        var recovered = 0;
        await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = s_parallelism, CancellationToken = stoppingToken }, async (key, ct) =>
        {
            try
            {
                Interlocked.Add(ref recovered, await _grains.GetGrain<IStreamGrain>(key).RecoverAsync().WaitAsync(ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRecoveryFailed(logger, e, key);
            }
            _progress.StreamRecovered();
        }).ConfigureAwait(false);
        LogRecovered(logger, streams.Count, recovered);
    }

    /// <summary>
    /// Runs before the silo stops (hosted services stop in reverse order): flushes every stream grain while index
    /// grains can still be activated, so a graceful shutdown leaves chunks rather than WAL to replay.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await StreamGrains.FlushAllAsync(_grains, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The WAL still holds everything acknowledged; the next start replays it.
            LogShutdownFlushFailed(_logger, e);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flushing stream grains at shutdown failed; the WAL keeps the data")]
    private static partial void LogShutdownFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "WAL recovery activated {Streams} streams holding {Entries} unflushed entries")]
    private static partial void LogRecovered(ILogger logger, int streams, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WAL recovery of stream {Stream} failed; it will replay on its next activation")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception, string stream);
}
