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

    public async Task RunAsync(SeriesMatch series, EntryProcessor processor)
    {
        _whole = processor.Logs is null && query.BlockFilter is null;
        var components = Components(series.Chunks, request.FromNs, request.ThroughNs);
        if (request.IncludeUnflushed)
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
            if (component.Chunks.Count == 1 && component.Raw.Count == 0)
            {
                await ScanAsync(component.Chunks[0], order, processor).ConfigureAwait(false);
            }
            else
            {
                await MergeAsync(component, order, processor).ConfigureAwait(false);
            }
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
        var grain = grains.GetGrain<IStreamGrain>(StorageKeys.StreamGrainKey(request.Tenant, series.Fingerprint));
        var page = await grain.SelectHeadAsync(new HeadSelect(request.Query, processor.Samples is not null, request.FromNs, request.ThroughNs,
            request.Backward, request.Limit, intervals)).WaitAsync(ct).ConfigureAwait(false);
        if (page.Logs is not null)
        {
            processor.Logs!.Offer(page.Logs);
            stats.Add(page.Logs.Stats);
        }
        if (page.Samples is not null)
        {
            processor.Samples!.Add(page.Samples);
            stats.Add(page.Samples.Stats);
        }
        if (page.RawCount == 0)
        {
            return;
        }
        var c = 0;
        foreach (var entry in EntryBatch.Decode(page.Raw))
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

    private async Task ScanAsync(ChunkRef chunk, List<ChunkRef> order, EntryProcessor processor)
    {
        var fetch = await FetchAsync(chunk, order).ConfigureAwait(false);
        if (fetch is null)
        {
            // Deleted by retention or compaction between lookup and read: nothing to return for it.
            return;
        }
        var reader = ChunkReader.Open(fetch.Data);
        var blocks = reader.Blocks;
        var backward = request.Backward && processor.Logs is not null;
        foreach (var (first, last) in BlockRuns(blocks, backward))
        {
            ct.ThrowIfCancellationRequested();
            if (first != last)
            {
                // Blocks overlapping in time (out-of-order writes, or a re-pushed entry cut into a later block) may hold
                // the same entry twice: merge them and drop duplicates before the pipeline.
                await MergeBlocksAsync(fetch, reader, blocks, Math.Min(first, last), Math.Max(first, last), processor).ConfigureAwait(false);
                continue;
            }
            var meta = blocks[first];
            if (!meta.Overlaps(request.FromNs, request.ThroughNs) || (query.BlockFilter is not null && !query.BlockFilter(meta)) ||
                processor.Rejects(backward ? meta.MaxTimeNs : meta.MinTimeNs))
            {
                continue;
            }
            if (!await fetch.LoadAsync(meta, ct).ConfigureAwait(false))
            {
                return;
            }
            stats.DecompressedBytes += BlockScanner.Scan(fetch.Data, meta, first, request.FromNs, request.ThroughNs, ref processor);
            stats.BlocksDecompressed++;
        }
        stats.CompressedBytes += fetch.BytesRead;
    }

    /// <summary>
    /// Maximal runs of consecutive blocks that overlap in time (a block starting at or before the previous one's
    /// end), as (first, last) block numbers in visiting order; a run of one block is (n, n).
    /// </summary>
    internal static List<(int First, int Last)> BlockRuns(IReadOnlyList<BlockMeta> blocks, bool backward)
    {
        var runs = new List<(int First, int Last)>();
        var start = 0;
        var runMax = long.MinValue;
        for (var i = 0; i < blocks.Count; i++)
        {
            if (i > start && blocks[i].MinTimeNs > runMax)
            {
                runs.Add((start, i - 1));
                start = i;
            }
            runMax = i == start ? blocks[i].MaxTimeNs : Math.Max(runMax, blocks[i].MaxTimeNs);
        }
        if (blocks.Count > 0)
        {
            runs.Add((start, blocks.Count - 1));
        }
        if (backward)
        {
            runs.Reverse();
            for (var i = 0; i < runs.Count; i++)
            {
                runs[i] = (runs[i].Last, runs[i].First);
            }
        }
        return runs;
    }

    private async Task MergeBlocksAsync(ChunkFetch fetch, ChunkReader reader, IReadOnlyList<BlockMeta> blocks, int first, int last, EntryProcessor processor)
    {
        var filter = query.BlockFilter;
        var members = new HashSet<BlockMeta>(ReferenceEqualityComparer.Instance);
        for (var i = first; i <= last; i++)
        {
            if (blocks[i].Overlaps(request.FromNs, request.ThroughNs) && (filter is null || filter(blocks[i])))
            {
                if (!await fetch.LoadAsync(blocks[i], ct).ConfigureAwait(false))
                {
                    return;
                }
                members.Add(blocks[i]);
            }
        }
        var before = reader.BlocksDecompressed;
        List<LogEntry> entries = [.. reader.Iterate(request.FromNs, request.ThroughNs, backward: false, members.Contains)];
        stats.BlocksDecompressed += reader.BlocksDecompressed - before;
        var merged = QuerierGrain.MergeDistinct([entries]);
        stats.Duplicates += entries.Count - merged.Count;
        processor.VisitAll(merged);
    }

    private async Task MergeAsync(Component component, List<ChunkRef> order, EntryProcessor processor)
    {
        var sources = new List<List<LogEntry>>();
        var from = Math.Max(request.FromNs, component.From);
        var through = Math.Min(request.ThroughNs, component.Through);
        var total = component.Raw.Count;
        foreach (var chunk in component.Chunks)
        {
            var fetch = await FetchAsync(chunk, order).ConfigureAwait(false);
            if (fetch is null)
            {
                continue;
            }
            var reader = ChunkReader.Open(fetch.Data);
            var members = new HashSet<BlockMeta>(ReferenceEqualityComparer.Instance);
            foreach (var block in reader.Blocks)
            {
                if (block.Overlaps(from, through) && (query.BlockFilter is null || query.BlockFilter(block)) && await fetch.LoadAsync(block, ct).ConfigureAwait(false))
                {
                    members.Add(block);
                }
            }
            List<LogEntry> entries = [.. reader.Iterate(from, through, backward: false, members.Contains)];
            stats.BlocksDecompressed += reader.BlocksDecompressed;
            stats.CompressedBytes += fetch.BytesRead;
            total += entries.Count;
            sources.Add(entries);
        }
        if (component.Raw.Count > 0)
        {
            sources.Add(component.Raw);
        }
        var merged = QuerierGrain.MergeDistinct(sources);
        stats.Duplicates += total - merged.Count;
        processor.VisitAll(merged);
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
        if (_whole && next < order.Count)
        {
            Start(order[next]);
        }
        _fetches.Remove(chunk.Key);
        return Counted(task);

        Task<ChunkFetch?> Start(ChunkRef c)
        {
            if (!_fetches.TryGetValue(c.Key, out var t))
            {
                t = _whole ? ChunkFetch.WholeAsync(store, c, ct) : ChunkFetch.SparseAsync(store, c, ct);
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
