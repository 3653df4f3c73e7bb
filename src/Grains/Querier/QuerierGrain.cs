using Orleans.Concurrency;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// Stateless reader of series data. A stateless worker because it holds no state and is CPU-bound on decompression:
/// Orleans runs one activation per core per silo and callers are served locally.
/// </summary>
[StatelessWorker]
internal sealed class QuerierGrain(IObjectStore store) : Grain, IQuerierGrain
{
    public async Task<LogPage> SelectLogsAsync(SelectRequest request, CancellationToken cancellationToken = default)
    {
        var query = CompiledQuery.Get(request.Query, samples: false);
        // One collector for the shard: the limit, once filled by any series, bounds what the others still read.
        var logs = new LogCollector(request.Backward, request.Limit);
        var scans = await ScanAllAsync(request, query, (scan, series, labels, stats) => Task.Run(async () =>
        {
            var pipeline = query.RentPipeline();
            try
            {
                var processor = EntryProcessor.ForLogs(pipeline, labels, logs, request.Backward, request.Deletes);
                await scan.RunAsync(series, processor);
                return true;
            }
            finally
            {
                query.Return(pipeline);
            }
        }, cancellationToken), cancellationToken);
        var total = new ReadStats();
        foreach (var (_, stats) in scans)
        {
            total.Add(stats);
        }
        return logs.ToPage(total);
    }

    public async Task<ExportPage> ExportLogsAsync(SelectRequest request, CancellationToken cancellationToken = default)
    {
        var query = CompiledQuery.Get(request.Query, samples: false);
        var scans = await ScanAllAsync(request, query, (scan, series, labels, stats) => Task.Run(async () =>
        {
            var pipeline = query.RentPipeline();
            try
            {
                var export = new ExportCollector();
                await scan.RunAsync(series, EntryProcessor.ForExport(pipeline, labels, export, request.Deletes));
                return export;
            }
            finally
            {
                query.Return(pipeline);
            }
        }, cancellationToken), cancellationToken);
        var total = new ReadStats();
        foreach (var (_, stats) in scans)
        {
            total.Add(stats);
        }
        return ExportCollector.ToPage([.. scans.Select(s => s.Result!)], request.Backward, request.Limit, total);
    }

    public async Task<SamplePage> SelectSamplesAsync(SelectRequest request, CancellationToken cancellationToken = default)
    {
        var query = CompiledQuery.Get(request.Query, samples: true, request.RequiredLabels);
        // The heads first, one call per ingester silo: a series with no chunk in the range is then done.
        var heads = request.IncludeUnflushed ? await HeadBatches.ReadSamplesAsync(GrainFactory, ServiceProvider, request, cancellationToken) : null;
        var scans = await ScanAllAsync(request, query, (scan, series, labels, stats) => Task.Run(async () =>
        {
            var extractor = query.RentExtractor();
            try
            {
                var samples = new SampleCollector(request.Grouping);
                var processor = EntryProcessor.ForSamples(extractor, labels, samples, request.Deletes);
                await scan.RunAsync(series, processor);
                return samples;
            }
            finally
            {
                query.Return(extractor);
            }
        }, cancellationToken), cancellationToken, heads);
        var parts = new List<SampleCollector>(scans.Length + 1);
        var total = new ReadStats();
        if (heads is { Samples.Count: > 0 })
        {
            var fromHeads = new SampleCollector();
            foreach (var page in heads.Samples)
            {
                fromHeads.Add(page);
                total.Add(page.Stats);
            }
            parts.Add(fromHeads);
        }
        foreach (var (samples, stats) in scans)
        {
            if (samples is not null)
            {
                parts.Add(samples);
            }
            total.Add(stats);
        }
        if (request.Windows is { } windows)
        {
            // Window sums per scan, added per window: no concatenation of every sample of a group.
            return SampleCollector.ToPage(parts, total, windows);
        }
        var result = new SampleCollector();
        foreach (var part in parts)
        {
            result.Add(part);
        }
        return result.ToPage(total);
    }

    /// <summary>
    /// One scan per series on the thread pool: a stateless worker activation runs one turn at a time, so the
    /// CPU-bound decoding leaves the grain's scheduler to use every core. With <paramref name="heads"/>, a series whose
    /// head was read there scans only its chunks, and one without chunks in the range is not scanned at all (its result
    /// is null).
    /// </summary>
    private async Task<(T? Result, ReadStats Stats)[]> ScanAllAsync<T>(SelectRequest request, CompiledQuery query,
        Func<SeriesScan, SeriesMatch, KeyValuePair<string, string>[], ReadStats, Task<T>> run, CancellationToken ct, HeadBatches? heads = null)
    {
        var tasks = new Task<T?>[request.Series.Count];
        var stats = new ReadStats[request.Series.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            var series = request.Series[i];
            stats[i] = new ReadStats();
            var answered = heads is not null && heads.Answered(i);
            if (answered && !series.Chunks.Any(c => c.FromNs < request.ThroughNs && c.ThroughNs > request.FromNs))
            {
                tasks[i] = Task.FromResult(default(T));
                continue;
            }
            var labels = LabelSet.TryParse(series.Labels, out var pairs, out var error)
                ? pairs
                : throw new InvalidOperationException($"stored labels '{series.Labels}' do not parse: {error}");
            var scan = new SeriesScan(store, GrainFactory, request, query, stats[i], ct) { HeadRead = answered, HeadRaw = answered ? heads!.Raw(i) : null };
            tasks[i] = run(scan, series, labels, stats[i])!;
        }
        var results = await Task.WhenAll(tasks);
        return [.. results.Select((r, i) => (r, stats[i]))];
    }

    /// <summary>A block can hold a wanted line only if its token filter admits every required literal.</summary>
    internal static Func<BlockMeta, bool>? BlockFilter(IReadOnlyList<string> requiredLiterals)
    {
        if (requiredLiterals.Count == 0)
        {
            return null;
        }
        var literals = requiredLiterals.Select(l => System.Text.Encoding.UTF8.GetBytes(l)).ToArray();
        return block =>
        {
            foreach (var literal in literals)
            {
                if (!block.MayContain(literal))
                {
                    return false;
                }
            }
            return true;
        };
    }

    /// <summary>
    /// Merges ascending sources into one ascending list, dropping exact duplicates (same timestamp and line), which
    /// appear when a chunk was flushed but its WAL segment not yet deleted before a crash, or when chunks overlap.
    /// </summary>
    internal static List<LogEntry> MergeDistinct(List<List<LogEntry>> sources)
    {
        if (sources.Count == 0)
        {
            return [];
        }
        // Stable: entries with equal timestamps keep source order, so results are deterministic.
        var all = sources.Count == 1 ? sources[0] : [.. sources.SelectMany(s => s).OrderBy(e => e.TimestampNs)];
        var result = new List<LogEntry>(all.Count);
        var groupStart = 0;
        foreach (var entry in all)
        {
            if (result.Count > 0 && result[^1].TimestampNs != entry.TimestampNs)
            {
                groupStart = result.Count;
            }
            var duplicate = false;
            for (var j = groupStart; j < result.Count; j++)
            {
                if (result[j].Line.Span.SequenceEqual(entry.Line.Span))
                {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate)
            {
                result.Add(entry);
            }
        }
        return result;
    }
}
