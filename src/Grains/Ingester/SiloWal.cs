using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// The write-ahead log shared by every stream grain of this silo: <c>swal/{walId}/{segment}</c> objects holding
/// <see cref="SiloWalFrame"/>s. Appends of all streams that arrive while one append is being made durable are written
/// together by the next append (group commit across streams), so a push to a hundred streams costs one durable write
/// instead of a hundred. A segment is deleted once it is sealed (rotated) or idle and no chunk generation holds it.
/// The WAL of a silo that died is turned back into per-stream WAL segments by <see cref="RecoverOrphansAsync"/>.
/// </summary>
public sealed partial class SiloWal : IAsyncDisposable
{
    /// <summary>Size at which the active segment is sealed and a new one started.</summary>
    internal const long MaxSegmentBytes = 64L * 1024 * 1024;

    /// <summary>Appends after which the active segment is sealed: an Azure append blob holds at most 50,000 blocks.</summary>
    internal const int MaxSegmentAppends = 10_000;

    private const string Prefix = "swal/";
    private const string OwnerObjectName = "owner";

    private readonly IObjectStore _store;
    private readonly ILocalSiloDetails _silo;
    private readonly IClusterMembershipService _membership;
    private readonly IGrainFactory _grains;
    private readonly ILogger<SiloWal> _logger;
    private readonly string _walId;
    private readonly Lock _lock = new();

    private List<PendingAppend> _pending = [];
    private bool _writing;
    private bool _ownerWritten;
    private long _active;
    private long _activeBytes;
    private int _activeAppends;
    private readonly Dictionary<long, int> _references = [];
    private readonly HashSet<long> _sealed = [];

    public SiloWal(IObjectStore store, ILocalSiloDetails silo, IClusterMembershipService membership, IGrainFactory grains, ILogger<SiloWal> logger)
    {
        _store = store;
        _silo = silo;
        _membership = membership;
        _grains = grains;
        _logger = logger;
        // Start time first so that recovered per-stream segments sort by the age of the silo that wrote them.
        _walId = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds():x11}-{Guid.NewGuid():n}"[..24];
    }

    internal string WalId => _walId;

    internal static string SegmentKey(string walId, long segment) => $"{Prefix}{walId}/{segment:D10}";

    /// <summary>A holder for a new chunk generation.</summary>
    internal static WalHolder CreateHolder() => new();

    /// <summary>
    /// Appends <paramref name="records"/> (entry-batch records of the stream <paramref name="streamKey"/>, whose labels
    /// are <paramref name="labels"/>) durably; completes once they are on durable storage. The segment written to is
    /// added to <paramref name="holder"/>.
    /// </summary>
    internal Task AppendAsync(WalHolder holder, string streamKey, string labels, IReadOnlyList<byte[]> records)
    {
        var pending = new PendingAppend(holder, streamKey, labels, records);
        bool start;
        lock (_lock)
        {
            _pending.Add(pending);
            start = !_writing;
            _writing = true;
        }
        if (start)
        {
            // Off the caller's (grain) scheduler: the loop serves every stream grain of the silo.
            _ = Task.Run(WriteLoopAsync);
        }
        return pending.Completion.Task;
    }

    /// <summary>Drops the references of a flushed generation; deletes segments nobody needs any more.</summary>
    internal void Release(WalHolder holder)
    {
        List<long>? deletable = null;
        lock (_lock)
        {
            if (holder.Released)
            {
                return;
            }
            holder.Released = true;
            foreach (var segment in holder.Segments)
            {
                var left = --_references[segment];
                if (left > 0)
                {
                    continue;
                }
                _references.Remove(segment);
                if (segment == _active)
                {
                    // Idle: nothing in flight refers to it (an in-flight append holds a reference), so start a new
                    // segment and delete this one rather than keep flushed data on disk.
                    _active++;
                    _activeBytes = 0;
                    _activeAppends = 0;
                }
                else if (!_sealed.Remove(segment))
                {
                    continue;
                }
                (deletable ??= []).Add(segment);
            }
        }
        if (deletable is not null)
        {
            _ = DeleteSegmentsAsync(deletable);
        }
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            List<PendingAppend> group;
            long segment;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }
                group = _pending;
                _pending = [];
                segment = _active;
                foreach (var append in group)
                {
                    if (append.Holder.Segments.Add(segment))
                    {
                        _references[segment] = _references.GetValueOrDefault(segment) + 1;
                    }
                }
            }

            var length = 0;
            foreach (var append in group)
            {
                length += SiloWalFrame.Size(SiloWalFrame.MaxKeySectionBytes(append.StreamKey, append.Labels), append.BodyLength);
            }
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                var written = 0;
                foreach (var append in group)
                {
                    written += SiloWalFrame.WriteHeader(buffer.AsSpan(written), append.StreamKey, append.Labels, append.BodyLength);
                    foreach (var record in append.Records)
                    {
                        record.CopyTo(buffer, written);
                        written += record.Length;
                    }
                }

                await EnsureOwnerWrittenAsync().ConfigureAwait(false);
                await _store.AppendAsync(SegmentKey(_walId, segment), buffer.AsMemory(0, written)).ConfigureAwait(false);
                IngesterMetrics.WalAppended(written, group.Count);
                AfterAppend(segment, written, failed: false);
                foreach (var append in group)
                {
                    append.Completion.TrySetResult();
                }
            }
            catch (Exception e)
            {
                // The segment may now end in a torn frame: seal it so later frames never follow a torn one.
                AfterAppend(segment, 0, failed: true);
                foreach (var append in group)
                {
                    append.Completion.TrySetException(e);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void AfterAppend(long segment, long written, bool failed)
    {
        lock (_lock)
        {
            if (segment != _active)
            {
                return;
            }
            _activeBytes += written;
            _activeAppends++;
            if (failed || _activeBytes >= MaxSegmentBytes || _activeAppends >= MaxSegmentAppends)
            {
                // Every frame of the group took a reference, so the sealed segment is deleted by the last release.
                _sealed.Add(segment);
                _active++;
                _activeBytes = 0;
                _activeAppends = 0;
            }
        }
    }

    private async Task EnsureOwnerWrittenAsync()
    {
        if (_ownerWritten)
        {
            return;
        }
        await _store.PutAsync(Prefix + _walId + "/" + OwnerObjectName, Encoding.UTF8.GetBytes(_silo.SiloAddress.ToParsableString())).ConfigureAwait(false);
        _ownerWritten = true;
    }

    private async Task DeleteSegmentsAsync(List<long> segments)
    {
        foreach (var segment in segments)
        {
            try
            {
                await _store.DeleteAsync(SegmentKey(_walId, segment)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Harmless: a leftover segment is recovered after a restart and its entries are exact duplicates,
                // which reads drop.
                LogSegmentDeleteFailed(_logger, e, segment);
            }
        }
    }

    /// <summary>Removes the owner object when nothing is left (a clean shutdown flushed every stream).</summary>
    public async ValueTask DisposeAsync()
    {
        bool empty;
        lock (_lock)
        {
            empty = _references.Count == 0 && _pending.Count == 0 && !_writing;
        }
        if (empty && _ownerWritten)
        {
            await _store.DeleteAsync(SegmentKey(_walId, _active)).ConfigureAwait(false);
            await _store.DeleteAsync(Prefix + _walId + "/" + OwnerObjectName).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting silo WAL segment {Segment} failed")]
    private static partial void LogSegmentDeleteFailed(ILogger logger, Exception exception, long segment);

    private sealed class PendingAppend(WalHolder holder, string streamKey, string labels, IReadOnlyList<byte[]> records)
    {
        public WalHolder Holder { get; } = holder;
        public string StreamKey { get; } = streamKey;
        public string Labels { get; } = labels;
        public IReadOnlyList<byte[]> Records { get; } = records;
        public int BodyLength { get; } = records.Sum(r => r.Length);
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
