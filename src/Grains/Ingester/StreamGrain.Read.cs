using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Querier;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Queries over the stream's in-memory (unflushed) entries.</summary>
internal sealed partial class StreamGrain
{
    Task<HeadPage> IStreamGrain.SelectHeadAsync(HeadSelect select)
    {
        var query = CompiledQuery.Get(select.Query, select.Samples, select.RequiredLabels);
        var entries = new List<LogEntry>();
        foreach (var closed in _closed)
        {
            entries.AddRange(closed.Chunk.Iterate(select.FromNs, select.ThroughNs, backward: false, query.BlockFilter));
        }
        entries.AddRange(_head.Iterate(select.FromNs, select.ThroughNs, backward: false, query.BlockFilter));
        // Generations and blocks may overlap in time (out-of-order writes, re-pushed entries): one ascending list without
        // exact duplicates, as the querier reads chunks.
        entries = QuerierGrain.MergeDistinct([entries.Count > 0 && _closed.Count > 0 ? [.. entries.OrderBy(e => e.TimestampNs)] : entries]);
        var raw = new List<LogEntry>();
        var rest = new List<LogEntry>(entries.Count);
        var interval = 0;
        foreach (var e in entries)
        {
            var intervals = select.RawIntervals;
            while (interval < intervals.Length && intervals[interval + 1] <= e.TimestampNs)
            {
                interval += 2;
            }
            (interval < intervals.Length && intervals[interval] <= e.TimestampNs ? raw : rest).Add(e);
        }
        var labels = Model.LabelSet.TryParse(_labels ?? "{}", out var pairs, out var error)
            ? pairs
            : throw new InvalidOperationException($"stream labels '{_labels}' do not parse: {error}");
        var stats = new ReadStats();
        LogPage? logs = null;
        SamplePage? samples = null;
        if (select.Samples)
        {
            var extractor = query.RentExtractor();
            var collector = new SampleCollector(select.Grouping);
            var processor = EntryProcessor.ForSamples(extractor, labels, collector, select.Deletes);
            processor.VisitAll(rest);
            query.Return(extractor);
            (stats.HeadLines, stats.HeadBytes) = (processor.Lines, processor.Bytes);
            samples = collector.ToPage(stats);
        }
        else
        {
            var pipeline = query.RentPipeline();
            var collector = new LogCollector(select.Backward, select.Limit);
            var processor = EntryProcessor.ForLogs(pipeline, labels, collector, select.Backward, select.Deletes);
            processor.VisitAll(rest);
            query.Return(pipeline);
            (stats.HeadLines, stats.HeadBytes) = (processor.Lines, processor.Bytes);
            logs = collector.ToPage(stats);
        }
        var batch = EntryBatch.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(raw));
        return Task.FromResult(new HeadPage(logs, samples, batch, raw.Count));
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
