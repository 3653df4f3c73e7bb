using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// Evaluates a sub-query over one series: its flushed chunks block by block (only blocks overlapping the range and
/// admitted by the token filter are decompressed) and its stream grain's in-memory entries. Exact duplicates (same
/// timestamp and line stored twice, after a crash between a flush and the WAL clean-up) can only sit where chunks or
/// the head overlap in time: those ranges are merged and de-duplicated before the pipeline; everything else streams
/// straight through it.
/// </summary>
internal sealed class SeriesScan(IObjectStore store, IGrainFactory grains, SelectRequest request, CompiledQuery query, ReadStats stats, CancellationToken ct)
{
    private readonly Dictionary<string, Task<ChunkFetch?>> _fetches = new(StringComparer.Ordinal);
    private bool _whole;

    /// <summary>The head was read already (a per-silo head read): only <see cref="HeadRaw"/> is left to place.</summary>
    public bool HeadRead { get; init; }

    /// <summary>With <see cref="HeadRead"/>: the head's entries inside the components (an entry batch), null for none.</summary>
    public byte[]? HeadRaw { get; init; }

    public async Task RunAsync(SeriesMatch series, EntryProcessor processor)
    {
        _whole = processor.Logs is null && query.BlockFilter is null;
        var components = Components(series.Chunks, request.FromNs, request.ThroughNs);
        if (request.IncludeUnflushed && HeadRead)
        {
            PlaceRaw(HeadRaw, components);
        }
        else if (request.IncludeUnflushed)
        {
            await ReadHeadAsync(series, processor, components).ConfigureAwait(false);
        }
        if (request.Backward && processor.Logs is not null)
        {
            components.Reverse();
        }
        var order = components.SelectMany(c => c.Chunks).ToList();
        for (var i = 0; i < components.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var component = components[i];
            if (processor.Rejects(request.Backward ? component.Through - 1 : component.From))
            {
                // Components are disjoint and visited in direction: later ones cannot do better.
                break;
            }
            await ScanAsync(component, order, processor).ConfigureAwait(false);
        }
        stats.ChunkLines += processor.Lines;
        stats.ChunkBytes += processor.Bytes;
    }

    private async Task ReadHeadAsync(SeriesMatch series, EntryProcessor processor, List<Component> components)
    {
        var intervals = new long[components.Count * 2];
        for (var i = 0; i < components.Count; i++)
        {
            intervals[2 * i] = components[i].From;
            intervals[(2 * i) + 1] = components[i].Through;
        }
        var grain = GrainRefs.Get<IStreamGrain>(grains, StorageKeys.StreamGrainKey(request.Tenant, series.Fingerprint));
        var page = await grain.SelectHeadAsync(new HeadSelect(request.Query, processor.Samples is not null, request.FromNs, request.ThroughNs,
            request.Backward, request.Limit, intervals) { RequiredLabels = request.RequiredLabels, Deletes = request.Deletes, Grouping = request.Grouping }).WaitAsync(ct).ConfigureAwait(false);
        if (page.Logs is not null && processor.Export is not null)
        {
            processor.Export.Add(page.Logs);
            stats.Add(page.Logs.Stats);
        }
        else if (page.Logs is not null)
        {
            processor.Logs!.Offer(page.Logs);
            stats.Add(page.Logs.Stats);
        }
        if (page.Samples is not null)
        {
            processor.Samples!.Add(page.Samples);
            stats.Add(page.Samples.Stats);
        }
        PlaceRaw(page.RawCount == 0 ? null : page.Raw, components);
    }

    /// <summary>Puts the head's raw entries (ascending) into the components they fall in.</summary>
    private static void PlaceRaw(byte[]? raw, List<Component> components)
    {
        if (raw is null)
        {
            return;
        }
        var c = 0;
        foreach (var entry in EntryBatch.Decode(raw))
        {
            while (c < components.Count && components[c].Through <= entry.TimestampNs)
            {
                c++;
            }
            if (c < components.Count && components[c].From <= entry.TimestampNs)
            {
                components[c].Raw.Add(entry);
            }
        }
    }

    /// <summary>
    /// Scans the blocks of a component's chunks. Where blocks overlap in time (out-of-order writes, a re-pushed entry
    /// cut into a later block, overlapping chunks) or in-memory entries fall, the same entry may be stored twice: entries
    /// in those contested time ranges are set aside, de-duplicated and processed after the scan; every other entry goes
    /// straight from the decompressed block through the pipeline.
    /// </summary>
    private async Task ScanAsync(Component component, List<ChunkRef> order, EntryProcessor processor)
    {
        var fetches = new List<ChunkFetch>(component.Chunks.Count);
        try
        {
            await ScanAsync(component, order, processor, fetches).ConfigureAwait(false);
        }
        finally
        {
            foreach (var fetch in fetches)
            {
                fetch.Release();
            }
        }
    }

    private async Task ScanAsync(Component component, List<ChunkRef> order, EntryProcessor processor, List<ChunkFetch> fetches)
    {
        var backward = request.Backward && processor.Logs is not null;
        // Counts without stages need no lines: only the blocks' timestamp and metadata columns are decoded.
        var timestampsOnly = processor.CountsFromTimestamps;
        var blocks = new List<(ChunkFetch Fetch, BlockMeta Meta, int Number)>();
        foreach (var chunk in component.Chunks)
        {
            var fetch = await FetchAsync(chunk, order).ConfigureAwait(false);
            if (fetch is null)
            {
                // Deleted by retention or compaction between lookup and read: nothing to return for it.
                continue;
            }
            fetches.Add(fetch);
            var reader = ChunkReader.Open(fetch.Data);
            for (var i = 0; i < reader.Blocks.Count; i++)
            {
                var meta = reader.Blocks[i];
                if (meta.Overlaps(request.FromNs, request.ThroughNs) && (query.BlockFilter is null || query.BlockFilter(meta)))
                {
                    blocks.Add((fetch, meta, i));
                }
            }
        }
        var ranges = Contested(blocks.Select(b => b.Meta), component.Raw);
        // Timestamp-only scans: the blocks holding an entry whose timestamp is stored twice (read with their lines).
        HashSet<(ChunkFetch, int)> withLines = [];
        if (timestampsOnly && ranges.Count > 0)
        {
            // Overlapping blocks (out-of-order writes cut into consecutive blocks) contest most of a stream's time, but
            // only an entry whose timestamp is stored twice can be a duplicate: only those are read with their lines.
            (ranges, withLines) = await RepeatedTimestampsAsync(blocks, ranges, component.Raw).ConfigureAwait(false);
        }
        var contested = new ContestedEntries(ranges, processor);
        contested.Entries.AddRange(component.Raw);
        if (backward)
        {
            blocks.Sort(static (a, b) => b.Meta.MaxTimeNs.CompareTo(a.Meta.MaxTimeNs));
        }
        else if (component.Chunks.Count > 1)
        {
            blocks.Sort(static (a, b) => a.Meta.MinTimeNs.CompareTo(b.Meta.MinTimeNs));
        }
        if (_whole)
        {
            // Exports and metric queries without a token filter read every block in their range: the blocks of a
            // sparse chunk in one range read, not one each.
            foreach (var group in blocks.GroupBy(b => b.Fetch))
            {
                if (!await group.Key.LoadAsync([.. group.Select(b => b.Meta)], ct).ConfigureAwait(false))
                {
                    blocks.RemoveAll(b => b.Fetch == group.Key);
                }
            }
        }
        foreach (var (fetch, meta, number) in blocks)
        {
            ct.ThrowIfCancellationRequested();
            if (processor.Rejects(backward ? meta.MaxTimeNs : meta.MinTimeNs))
            {
                // Nothing in this block can make the cut (a duplicate elsewhere has the same timestamp, so neither can it).
                continue;
            }
            if (!await fetch.LoadAsync(meta, ct).ConfigureAwait(false))
            {
                continue;
            }
            if (timestampsOnly && !withLines.Contains((fetch, number)))
            {
                stats.DecompressedBytes += BlockScanner.ScanTimestamps(fetch.Data.Span, meta, number, request.FromNs, request.ThroughNs, ref processor, out var lineBytes);
                processor.AddBytes(lineBytes);
                stats.BlocksDecompressed++;
                continue;
            }
            stats.DecompressedBytes += BlockScanner.Scan(fetch.Data.Span, meta, number, request.FromNs, request.ThroughNs, ref contested);
            stats.BlocksDecompressed++;
        }
        foreach (var fetch in blocks.Select(b => b.Fetch).Distinct())
        {
            stats.CompressedBytes += fetch.BytesRead;
        }
        if (contested.Entries.Count > 0)
        {
            List<LogEntry> sorted = [.. contested.Entries.OrderBy(e => e.TimestampNs)];
            var merged = QuerierGrain.MergeDistinct([sorted]);
            stats.Duplicates += sorted.Count - merged.Count;
            processor.VisitAll(merged);
        }
    }

    /// <summary>
    /// The timestamps within <paramref name="ranges"/> that more than one entry of the blocks or the in-memory entries
    /// has, as one-point ranges (where an exact duplicate can be), and the blocks holding such an entry. Reads only the
    /// blocks' timestamp columns.
    /// </summary>
    private async Task<(List<(long From, long To)> Ranges, HashSet<(ChunkFetch, int)> Blocks)> RepeatedTimestampsAsync(
        List<(ChunkFetch Fetch, BlockMeta Meta, int Number)> blocks, List<(long From, long To)> ranges, List<LogEntry> raw)
    {
        var collector = new TimestampCollector(ranges);
        foreach (var e in raw)
        {
            collector.Timestamps.Add((e.TimestampNs, -1));
        }
        for (var b = 0; b < blocks.Count; b++)
        {
            var (fetch, meta, number) = blocks[b];
            ct.ThrowIfCancellationRequested();
            if (!ContestedEntries.Overlaps(ranges, meta.MinTimeNs, meta.MaxTimeNs) || !await fetch.LoadAsync(meta, ct).ConfigureAwait(false))
            {
                continue;
            }
            collector.Block = b;
            // The whole block: entries outside the query's range only make the set larger, never wrong.
            BlockScanner.ScanTimestamps(fetch.Data.Span, meta, number, long.MinValue, long.MaxValue, ref collector, out _);
        }
        var all = collector.Timestamps;
        all.Sort();
        var repeated = new List<(long From, long To)>();
        var withLines = new HashSet<(ChunkFetch, int)>();
        for (var i = 0; i < all.Count;)
        {
            var j = i + 1;
            while (j < all.Count && all[j].Ts == all[i].Ts)
            {
                j++;
            }
            if (j - i > 1)
            {
                repeated.Add((all[i].Ts, all[i].Ts));
                for (var k = i; k < j; k++)
                {
                    if (all[k].Block >= 0)
                    {
                        withLines.Add((blocks[all[k].Block].Fetch, blocks[all[k].Block].Number));
                    }
                }
            }
            i = j;
        }
        return (repeated, withLines);
    }

    /// <summary>Collects the timestamps that fall into contested ranges, with the index of the block holding each.</summary>
    private struct TimestampCollector(List<(long From, long To)> ranges) : ITimestampVisitor
    {
        public List<(long Ts, int Block)> Timestamps { get; } = [];

        public int Block { get; set; }

        public readonly void BeginBlock(KeyValuePair<string, string>[]?[] metadataSets)
        {
        }

        public readonly void Visit(long timestampNs, int metadataSet)
        {
            if (ContestedEntries.IsContested(ranges, timestampNs))
            {
                Timestamps.Add((timestampNs, Block));
            }
        }
    }

    /// <summary>
    /// Time ranges (inclusive, sorted, disjoint) where two blocks overlap or an in-memory entry sits: the only places an
    /// entry can be stored twice. Sweeping blocks by start, each block's overlap with the span of those before it
    /// (a superset of the exact pairwise overlaps, which only sets aside a little more).
    /// </summary>
    internal static List<(long From, long To)> Contested(IEnumerable<BlockMeta> blocks, List<LogEntry> raw)
    {
        var ranges = new List<(long From, long To)>();
        var maxEnd = long.MinValue;
        foreach (var b in blocks.OrderBy(b => b.MinTimeNs))
        {
            if (maxEnd != long.MinValue && b.MinTimeNs <= maxEnd)
            {
                ranges.Add((b.MinTimeNs, Math.Min(b.MaxTimeNs, maxEnd)));
            }
            maxEnd = Math.Max(maxEnd, b.MaxTimeNs);
        }
        foreach (var e in raw)
        {
            ranges.Add((e.TimestampNs, e.TimestampNs));
        }
        ranges.Sort();
        var merged = new List<(long From, long To)>(ranges.Count);
        foreach (var r in ranges)
        {
            if (merged.Count > 0 && r.From <= merged[^1].To)
            {
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, r.To));
            }
            else
            {
                merged.Add(r);
            }
        }
        return merged;
    }

    /// <summary>
    /// Fetches <paramref name="chunk"/>. Metric queries without a token filter read every block: whole chunks, and the
    /// next one is fetched while this one is decoded. Otherwise only the index is read up front and blocks on demand
    /// (log queries stop early; token filters skip blocks).
    /// </summary>
    private Task<ChunkFetch?> FetchAsync(ChunkRef chunk, List<ChunkRef> order)
    {
        var task = Start(chunk);
        var next = order.IndexOf(chunk) + 1;
        if (_whole && next < order.Count && Whole(order[next]))
        {
            Start(order[next]);
        }
        _fetches.Remove(chunk.Key);
        return Counted(task);

        Task<ChunkFetch?> Start(ChunkRef c)
        {
            if (!_fetches.TryGetValue(c.Key, out var t))
            {
                t = Whole(c) ? ChunkFetch.WholeAsync(store, c, ct) : ChunkFetch.SparseAsync(store, c, ct);
                _fetches.Add(c.Key, t);
            }
            return t;
        }

        async Task<ChunkFetch?> Counted(Task<ChunkFetch?> t)
        {
            var fetch = await t.ConfigureAwait(false);
            if (fetch is not null)
            {
                stats.ChunksFetched++;
            }
            return fetch;
        }
    }

    /// <summary>
    /// Whether <paramref name="chunk"/> is read whole. An export reads the range page by page, each page a window of
    /// the chunks it overlaps, and a metric query is split by time (<c>split_queries_by_interval</c>): a chunk that
    /// reaches out of the range is read sparsely (its index and the range's blocks), or every page or split would
    /// read it whole again.
    /// </summary>
    private bool Whole(ChunkRef chunk) => _whole && chunk.FromNs >= request.FromNs && chunk.ThroughNs <= request.ThroughNs;

    /// <summary>Chunks overlapping the range grouped into maximal sets of time-overlapping chunks, ascending.</summary>
    internal static List<Component> Components(IReadOnlyList<ChunkRef> chunks, long fromNs, long throughNs)
    {
        var result = new List<Component>();
        foreach (var chunk in chunks.Where(c => c.FromNs < throughNs && c.ThroughNs > fromNs).OrderBy(c => c.FromNs))
        {
            if (result.Count > 0 && chunk.FromNs < result[^1].Through)
            {
                result[^1].Chunks.Add(chunk);
                result[^1].Through = Math.Max(result[^1].Through, chunk.ThroughNs);
            }
            else
            {
                result.Add(new Component { From = chunk.FromNs, Through = chunk.ThroughNs, Chunks = [chunk] });
            }
        }
        return result;
    }

    /// <summary>Chunks whose time ranges overlap, with the in-memory entries falling into <c>[From, Through)</c>.</summary>
    internal sealed class Component
    {
        public long From { get; init; }
        public long Through { get; set; }
        public List<ChunkRef> Chunks { get; init; } = [];
        public List<LogEntry> Raw { get; } = [];
    }
}
