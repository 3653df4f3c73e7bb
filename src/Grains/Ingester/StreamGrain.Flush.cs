using System.IO.Hashing;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Cutting chunks and flushing them to the object store (Loki's flush loop, per stream).</summary>
internal sealed partial class StreamGrain
{
    /// <summary>The single in-flight flush, so flushes never overlap.</summary>
    private Task? _flushTask;

    async Task IStreamGrain.FlushAsync() => await FlushAllAsync();

    private async Task FlushAllAsync()
    {
        await CutHeadWhenQuietAsync(force: true);
        // A flush that started earlier may not include chunks cut since; loop until nothing is left.
        while (_closed.Count > 0)
        {
            await StartFlush();
        }
    }

    private async Task OnFlushTimerAsync()
    {
        var reason = ShouldFlushHead();
        if (reason is not null)
        {
            await CutHeadWhenQuietAsync(force: false);
            LogFlushDecision(logger, _tenant, _streamId, reason);
        }
        if (_closed.Count > 0)
        {
            await StartFlush();
        }
    }

    /// <summary>Loki's flush reasons: <c>max_age</c>, <c>idle</c>; <c>full</c> is handled when a batch is applied.</summary>
    private string? ShouldFlushHead()
    {
        if (_head.EntryCount == 0)
        {
            return null;
        }
        var now = time.GetUtcNow();
        if (now - _lastAppend >= options.ChunkIdlePeriod)
        {
            return "idle";
        }
        var spanNs = _head.MaxTimeNs - _head.MinTimeNs;
        if (spanNs >= options.MaxChunkAge.Ticks * 100 || now - _headCreated >= options.MaxChunkAge)
        {
            return "max_age";
        }
        return null;
    }

    /// <summary>
    /// Cuts the head only while no WAL append is in flight: entries of an in-flight append belong to the segment they
    /// were written to, and that segment must stay with the generation that receives them.
    /// </summary>
    private async Task CutHeadWhenQuietAsync(bool force)
    {
        while (_commitLoop is not null)
        {
            await _commitLoop;
        }
        if (force || _head.EntryCount > 0)
        {
            CutHead();
        }
    }

    /// <summary>Closes the head chunk (if it has entries) and starts a new generation with a new WAL segment.</summary>
    private void CutHead()
    {
        if (_head.EntryCount == 0)
        {
            return;
        }
        _closed.Add(new ClosedChunk(_head, _headFirstSegment, _headHolder));
        _head = new MemChunk(_chunkOptions);
        _headHolder = SiloWal.CreateHolder();
        _headCreated = time.GetUtcNow();
        StartNewSegmentForHead();
    }

    /// <summary>A flush started by a full chunk; a failure is logged and retried by the flush timer.</summary>
    private async Task FlushInBackgroundAsync()
    {
        try
        {
            await StartFlush();
        }
        catch (Exception e)
        {
            LogFlushFailed(logger, e, _tenant, _streamId);
        }
    }

    private Task StartFlush()
    {
        if (_flushTask is not null)
        {
            return _flushTask;
        }
        // Assign only when still running: a flush that completed synchronously has already cleared the field.
        var flush = FlushClosedAsync();
        if (!flush.IsCompleted)
        {
            _flushTask = flush;
        }
        return flush;
    }

    private async Task FlushClosedAsync()
    {
        try
        {
            while (_closed.Count > 0)
            {
                var closed = _closed[0];
                await FlushChunkAsync(closed.Chunk);
                _closed.RemoveAt(0);
                ReportUnflushed();
                var until = _closed.Count > 0 ? _closed[0].FirstSegment : _headFirstSegment;
                await DeleteSegmentsAsync(closed.FirstSegment, until);
                siloWal.Release(closed.Holder);
            }
        }
        finally
        {
            _flushTask = null;
        }
    }

    private async Task FlushChunkAsync(MemChunk chunk)
    {
        if (_labels is null)
        {
            throw new InvalidOperationException($"stream {_tenant}/{_streamId} has WAL data but no labels object; cannot flush");
        }
        var bytes = chunk.Encode(_labels);
        var checksum = Crc32.HashToUInt32(bytes);
        var from = chunk.MinTimeNs;
        var through = chunk.MaxTimeNs + 1;
        var key = StorageKeys.Chunk(_tenant, _streamId, from, through, checksum);
        await store.PutAsync(key, bytes);

        var chunkRef = new ChunkRef(key, from, through, chunk.EntryCount, chunk.UncompressedBytes, bytes.Length);
        var firstDay = StorageKeys.DayOf(from);
        var lastDay = StorageKeys.DayOf(through - 1);
        var tasks = new List<Task>(lastDay - firstDay + 1);
        for (var day = firstDay; day <= lastDay; day++)
        {
            tasks.Add(GrainRefs.Get<IIndexGrain>(GrainFactory, $"{_tenant}/{day}").AddChunkAsync(_fingerprint, _labels, chunkRef));
        }
        await Task.WhenAll(tasks);
        IngesterMetrics.ChunkFlushed(bytes.Length, chunk.EntryCount);
        LogChunkFlushed(logger, _tenant, _streamId, key, chunk.EntryCount, bytes.Length);
    }
}
