using Microsoft.Extensions.Logging;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// Ingester for one stream. State in memory: the head chunk and chunks cut but not yet flushed;
/// durable state: the WAL segments in the object store (one segment per chunk generation) and flushed chunks.
/// </summary>
/// <remarks>
/// Pushes interleave (<see cref="IStreamGrain.PushAsync"/> is <c>[AlwaysInterleave]</c>) so that concurrent pushes
/// are grouped into one WAL append (group commit). All state changes happen between awaits on the grain's
/// single-threaded scheduler, so no locks are needed; the invariants that span awaits are documented where they matter.
/// </remarks>
[Orleans.Loki.Grains.Placement.RolePlacement(Orleans.Loki.Grains.Placement.LokiModules.Ingester)]
[CollectionAgeLimit(Minutes = 60)]
internal sealed partial class StreamGrain(
    IObjectStore store,
    SiloWal siloWal,
    WalReplayScheduler replayScheduler,
    IngesterOptions options,
    TimeProvider time,
    StreamHeads heads,
    ILogger<StreamGrain> logger) : Grain, IStreamGrain
{
    private readonly ChunkOptions _chunkOptions = new()
    {
        BlockSize = options.ChunkBlockSize,
        TargetCompressedSize = options.ChunkTargetSize,
        Level = options.ChunkHighCompression ? K4os.Compression.LZ4.LZ4Level.L03_HC : K4os.Compression.LZ4.LZ4Level.L00_FAST,
    };

    private string _tenant = "";
    private string _streamId = "";
    private string? _labels;
    private ulong _fingerprint;

    private MemChunk _head = null!;
    private long _headFirstSegment;
    private WalHolder _headHolder = SiloWal.CreateHolder();
    private DateTimeOffset _headCreated;
    private DateTimeOffset _lastAppend;
    private readonly List<ClosedChunk> _closed = [];

    /// <summary>Newest timestamp accepted so far (including batches still being committed).</summary>
    private long _highestTs = long.MinValue;
    private readonly HashSet<int> _registeredDays = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _streamId) = StorageKeys.SplitKey(this.GetPrimaryKeyString());
        _fingerprint = Convert.ToUInt64(_streamId, 16);
        _head = new MemChunk(_chunkOptions);
        _headCreated = time.GetUtcNow();
        // The silo WAL of a dead silo that held this stream must be split into per-stream segments before replay.
        await siloWal.RecoverOrphansAsync(cancellationToken);
        await ReplayWalAsync(cancellationToken);
        ReportUnflushed();
        heads.Add(_tenant, _fingerprint, this);
        IngesterMetrics.StreamCreated();
        this.RegisterGrainTimer(
            static (grain, _) => grain.OnFlushTimerAsync(),
            this,
            new GrainTimerCreationOptions(options.FlushCheckPeriod, options.FlushCheckPeriod) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LeaveTenant(reason);
        try
        {
            await FlushAllAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The WAL still holds every acknowledged entry; the next activation replays it.
            LogDeactivationFlushFailed(logger, e, _tenant, _streamId);
        }
        finally
        {
            WithdrawUnflushed();
            heads.Remove(_tenant, _fingerprint, this);
        }
    }

    /// <param name="Chunk">The cut chunk.</param>
    /// <param name="FirstSegment">First per-stream WAL segment (from a replay) of its generation.</param>
    /// <param name="Holder">Its references on silo WAL segments, released once it is flushed.</param>
    private sealed record ClosedChunk(MemChunk Chunk, long FirstSegment, WalHolder Holder);
}
