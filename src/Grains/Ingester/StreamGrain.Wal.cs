using System.Text;
using Orleans.Loki.Chunks;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// WAL: <c>wal/{tenant}/{stream}/{segment}</c> objects, each a sequence of entry-batch records, plus a <c>labels</c>
/// object naming the stream so that its replay can rebuild chunks. Both are written by the recovery of a dead silo's
/// WAL (whose frames name each stream's labels), not on the push path.
/// Segment numbers only grow. A chunk generation owns the segments from its first segment up to the next generation's
/// first segment; those are deleted once the chunk is flushed and indexed.
/// </summary>
internal sealed partial class StreamGrain
{
    /// <summary>
    /// Generation counter for per-stream WAL segments. New entries go to the silo WAL; per-stream segments only come
    /// from replay (written by the recovery of a dead silo's WAL, or by versions that wrote one WAL per stream).
    /// </summary>
    private long _segment;

    /// <summary>Per-stream segments replayed and not yet deleted.</summary>
    private readonly SortedSet<long> _streamSegments = [];

    private string WalPrefix => StorageKeys.WalStreamPrefix(_tenant, _streamId);

    /// <summary>
    /// Appends the group's records to the silo WAL, where they share one durable write with other streams. Each frame
    /// names the stream's labels, so recovery rebuilds the stream from the silo WAL alone.
    /// </summary>
    private Task AppendToWalAsync(List<PendingBatch> group)
    {
        var records = new byte[group.Count][];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = group[i].Record;
        }
        return siloWal.AppendAsync(_headHolder, this.GetPrimaryKeyString(), _labels!, records);
    }

    /// <summary>Starts a new WAL segment for a new chunk generation.</summary>
    private void StartNewSegmentForHead()
    {
        _segment++;
        _headFirstSegment = _segment;
    }

    /// <summary>
    /// Rebuilds the in-memory chunks from the WAL. Entries that were already flushed before a crash (chunk written,
    /// segment not yet deleted) come back too; the read path drops such exact duplicates.
    /// </summary>
    /// <remarks>
    /// The reading and rebuilding (when the listing finds segments) runs on the <see cref="WalReplayScheduler"/>'s
    /// threads, not on the thread pool, so a start-up replay of many streams does not queue HTTP requests (the
    /// liveness probe too) behind it. It touches
    /// only this activation's state and makes no grain call; the activation waits for it, so no other turn runs
    /// meanwhile. The day registration (grain calls) runs back on the activation's scheduler.
    /// </remarks>
    private async Task ReplayWalAsync(CancellationToken ct)
    {
        // The listing stays here: a new stream (no segments, the common case) then never leaves its scheduler.
        var segments = new List<(long Number, string Key)>();
        var hasLabels = false;
        await foreach (var info in store.ListAsync(WalPrefix, ct))
        {
            var name = info.Key[WalPrefix.Length..];
            if (name == StorageKeys.WalLabelsName)
            {
                hasLabels = true;
            }
            else if (long.TryParse(name, out var number))
            {
                segments.Add((number, info.Key));
            }
        }

        if (segments.Count == 0)
        {
            _segment = 0;
            _headFirstSegment = 0;
            return;
        }

        var days = await replayScheduler.RunAsync(() => ReadWalAsync(segments, hasLabels, ct), ct);
        if (_labels is not null && days.Count > 0)
        {
            await RegisterDaysAsync(days);
        }
    }

    /// <summary>Replays <paramref name="segments"/> into the chunks; returns one entry per day change, for the day registration.</summary>
    private async Task<List<LogEntry>> ReadWalAsync(List<(long Number, string Key)> segments, bool hasLabels, CancellationToken ct)
    {
        segments.Sort((a, b) => a.Number.CompareTo(b.Number));
        foreach (var (number, _) in segments)
        {
            _streamSegments.Add(number);
        }
        if (hasLabels && _labels is null)
        {
            var bytes = await store.GetAsync(StorageKeys.WalLabels(_tenant, _streamId), ct);
            _labels = bytes is null ? null : Encoding.UTF8.GetString(bytes);
        }

        _headFirstSegment = segments[0].Number;
        var replayed = 0;
        var tornTails = 0;
        var days = new List<LogEntry>();
        var lastDay = int.MinValue;
        foreach (var (number, key) in segments)
        {
            var data = await store.GetAsync(key, ct);
            if (data is null)
            {
                continue;
            }
            var result = EntryBatch.ReadSegment(data);
            if (result.TornTail)
            {
                tornTails++;
            }
            foreach (var entry in result.Entries)
            {
                if (_head.EntryCount == 0)
                {
                    _headCreated = time.GetUtcNow();
                }
                _head.Append(entry);
                if (entry.TimestampNs > _highestTs)
                {
                    _highestTs = entry.TimestampNs;
                }
                replayed++;
                // One entry per day change is all the day registration needs: holding every replayed entry until the
                // stream's WAL is read would keep it all reachable and make each GC copy it.
                var day = StorageKeys.DayOf(entry.TimestampNs);
                if (day != lastDay)
                {
                    lastDay = day;
                    days.Add(entry);
                }
                if (_head.IsFull)
                {
                    _closed.Add(new ClosedChunk(_head, _headFirstSegment, SiloWal.CreateHolder()));
                    _head = new MemChunk(_chunkOptions);
                    // The segment being replayed may straddle both generations: the new one starts at it, so it is
                    // deleted only after the newer chunk is flushed too.
                    _headFirstSegment = number;
                }
            }
        }

        // Never append after a possibly torn tail: continue in a fresh segment.
        _segment = segments[^1].Number + 1;
        _lastAppend = time.GetUtcNow();
        LogReplayed(logger, _tenant, _streamId, segments.Count, replayed, tornTails);
        return days;
    }

    /// <summary>Deletes the replayed per-stream WAL segments in <c>[from, until)</c>.</summary>
    private async Task DeleteSegmentsAsync(long from, long until)
    {
        if (until <= from)
        {
            return;
        }
        // Recovered segment numbers are sparse (see SiloWal.RecoverOrphansAsync): visit the known ones only.
        foreach (var s in _streamSegments.GetViewBetween(from, until - 1).ToList())
        {
            await store.DeleteAsync(StorageKeys.WalSegment(_tenant, _streamId, s));
            _streamSegments.Remove(s);
        }
    }
}
