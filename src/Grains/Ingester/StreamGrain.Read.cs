using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Querier;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Queries over the stream's in-memory (unflushed) entries.</summary>
internal sealed partial class StreamGrain
{
    /// <summary><see cref="_labels"/> parsed, and the string it was parsed from.</summary>
    private KeyValuePair<string, string>[]? _labelPairs;
    private string? _labelPairsOf;

    Task<HeadPage> IStreamGrain.SelectHeadAsync(HeadSelect select)
    {
        var query = CompiledQuery.Get(select.Query, select.Samples, select.RequiredLabels);
        var head = CollectHead(query.BlockFilter, select.FromNs, select.ThroughNs, select.RawIntervals);
        var stats = new ReadStats();
        LogPage? logs = null;
        SamplePage? samples = null;
        if (select.Samples)
        {
            var extractor = query.RentExtractor();
            var collector = new SampleCollector(select.Grouping);
            var processor = EntryProcessor.ForSamples(extractor, head.Labels, collector, select.Deletes);
            processor.VisitAll(head.Rest);
            query.Return(extractor);
            (stats.HeadLines, stats.HeadBytes) = (processor.Lines, processor.Bytes);
            samples = collector.ToPage(stats);
        }
        else
        {
            var pipeline = query.RentPipeline();
            var collector = new LogCollector(select.Backward, select.Limit);
            var processor = EntryProcessor.ForLogs(pipeline, head.Labels, collector, select.Backward, select.Deletes);
            processor.VisitAll(head.Rest);
            query.Return(pipeline);
            (stats.HeadLines, stats.HeadBytes) = (processor.Lines, processor.Bytes);
            logs = collector.ToPage(stats);
        }
        var batch = EntryBatch.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(head.Raw));
        return Task.FromResult(new HeadPage(logs, samples, batch, head.Raw.Count));
    }

    /// <summary>
    /// <see cref="CollectHead"/> run on this activation's scheduler, between its turns (as an interleaving call would
    /// run), for a caller on another activation of the silo.
    /// </summary>
    public Task<HeadEntries> CollectHeadAsync(Func<BlockMeta, bool>? blockFilter, long fromNs, long throughNs, long[] rawIntervals)
    {
        var read = new HeadRead(this, blockFilter, fromNs, throughNs, rawIntervals);
        GrainContext.Scheduler.QueueAction(static state => ((HeadRead)state!).Run(), read);
        return read.Task;
    }

    private sealed class HeadRead(StreamGrain grain, Func<BlockMeta, bool>? blockFilter, long fromNs, long throughNs, long[] rawIntervals)
        : TaskCompletionSource<HeadEntries>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public void Run()
        {
            try
            {
                SetResult(grain.CollectHead(blockFilter, fromNs, throughNs, rawIntervals));
            }
            catch (Exception e)
            {
                SetException(e);
            }
        }
    }

    /// <summary>
    /// The in-memory entries in <c>[fromNs, throughNs)</c>, ascending without exact duplicates, split into those inside
    /// <paramref name="rawIntervals"/> (flattened <c>[from, through)</c> pairs, sorted: time ranges also covered by
    /// flushed chunks, returned unprocessed) and the rest. Copies: nothing returned refers to the grain's buffers.
    /// </summary>
    public HeadEntries CollectHead(Func<BlockMeta, bool>? blockFilter, long fromNs, long throughNs, long[] rawIntervals)
    {
        var entries = new List<LogEntry>();
        foreach (var closed in _closed)
        {
            entries.AddRange(closed.Chunk.Iterate(fromNs, throughNs, backward: false, blockFilter));
        }
        entries.AddRange(_head.Iterate(fromNs, throughNs, backward: false, blockFilter));
        // Generations and blocks may overlap in time (out-of-order writes, re-pushed entries): one ascending list without
        // exact duplicates, as the querier reads chunks.
        entries = QuerierGrain.MergeDistinct([entries.Count > 0 && _closed.Count > 0 ? [.. entries.OrderBy(e => e.TimestampNs)] : entries]);
        var raw = new List<LogEntry>();
        var rest = entries;
        if (rawIntervals.Length > 0)
        {
            rest = new List<LogEntry>(entries.Count);
            var interval = 0;
            foreach (var e in entries)
            {
                while (interval < rawIntervals.Length && rawIntervals[interval + 1] <= e.TimestampNs)
                {
                    interval += 2;
                }
                (interval < rawIntervals.Length && rawIntervals[interval] <= e.TimestampNs ? raw : rest).Add(e);
            }
        }
        return new HeadEntries(LabelPairs(), rest, raw);
    }

    private KeyValuePair<string, string>[] LabelPairs()
    {
        var text = _labels ?? "{}";
        if (_labelPairs is null || !ReferenceEquals(_labelPairsOf, text))
        {
            _labelPairs = Model.LabelSet.TryParse(text, out var pairs, out var error)
                ? pairs
                : throw new InvalidOperationException($"stream labels '{_labels}' do not parse: {error}");
            _labelPairsOf = text;
        }
        return _labelPairs;
    }

    Task<int> IStreamGrain.RecoverAsync()
    {
        var count = _head.EntryCount;
        foreach (var closed in _closed)
        {
            count += closed.Chunk.EntryCount;
        }
        return Task.FromResult(count);
    }
}

/// <summary>A stream's in-memory entries for one read (see <see cref="StreamGrain.CollectHead"/>).</summary>
/// <param name="Labels">The stream's labels (shared: not to be modified).</param>
/// <param name="Rest">Entries to process, ascending.</param>
/// <param name="Raw">Entries inside the raw intervals, ascending.</param>
internal sealed record HeadEntries(KeyValuePair<string, string>[] Labels, List<LogEntry> Rest, List<LogEntry> Raw);
