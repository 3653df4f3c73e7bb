using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// The LogQL engine's data source over the cluster: series from the index grains, then the selector's pipeline (log
/// queries) or the range aggregation's extraction (metric queries) runs next to the data in querier and stream grains,
/// which return only selected entries (at most <c>limit</c> per shard, in direction) or compact samples.
/// One instance serves one query of one tenant, possibly several splits of it at once.
/// </summary>
public sealed class GrainLogQuerier(GrainDataSource data, string tenant) : ILogQuerier
{
    private readonly ReadStats _stats = new();
    private readonly ConcurrentDictionary<string, bool> _validated = new(StringComparer.Ordinal);
    private int _shards;
    private int _subqueries;

    public long LinesProcessed
    {
        get
        {
            lock (_stats)
            {
                return _stats.ChunkLines + _stats.HeadLines;
            }
        }
    }

    public long BytesProcessed
    {
        get
        {
            lock (_stats)
            {
                return _stats.ChunkBytes + _stats.HeadBytes;
            }
        }
    }

    public long ChunksRead
    {
        get
        {
            lock (_stats)
            {
                return _stats.ChunksFetched;
            }
        }
    }

    /// <summary>Querier calls made (series shards over all sub-queries).</summary>
    public int Shards => Volatile.Read(ref _shards);

    /// <summary>Data-source calls made (one per split and range aggregation).</summary>
    public int Subqueries => Volatile.Read(ref _subqueries);

    /// <summary>A copy of the read counters so far.</summary>
    public ReadStats Stats()
    {
        lock (_stats)
        {
            var copy = new ReadStats();
            copy.Add(_stats);
            return copy;
        }
    }

    public async IAsyncEnumerable<ResultStream> SelectLogsAsync(SelectLogParams p, [EnumeratorCancellation] CancellationToken ct)
    {
        var text = p.Selector.ToString();
        // Building here surfaces invalid stages (regexes, templates) as the engine's QueryException before any grain call.
        _validated.GetOrAdd(text, _ => PipelineBuilder.Build(p.Selector) is not null);
        var series = await LookupAsync(p.Selector, p.StartNs, p.EndNs, ct).ConfigureAwait(false);
        var pages = await data.SelectLogsAsync(tenant, series, p.StartNs, p.EndNs, text, p.Direction == Direction.Backward, p.Limit, ct).ConfigureAwait(false);
        var byLabels = new Dictionary<string, ResultStream>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            Count(page.Stats);
            foreach (var stream in page.Streams)
            {
                if (!byLabels.TryGetValue(stream.Labels, out var rs))
                {
                    rs = new ResultStream(Pairs(stream.LabelPairs), stream.Labels, []);
                    byLabels.Add(stream.Labels, rs);
                }
                for (var i = 0; i < stream.Timestamps.Length; i++)
                {
                    rs.Entries.Add(new LogEntry(stream.Timestamps[i], stream.Lines[i], Pairs(stream.StructuredMetadata[i]), Pairs(stream.Parsed[i])));
                }
            }
        }
        foreach (var rs in byLabels.Values.OrderBy(s => s.LabelsString, StringComparer.Ordinal))
        {
            yield return rs;
        }
    }

    public async IAsyncEnumerable<SampleSeries> SelectSamplesAsync(SelectSampleParams p, [EnumeratorCancellation] CancellationToken ct)
    {
        var selector = p.Expr.Left.Left;
        var text = p.Expr.ToString();
        var hints = p.RequiredLabels is null ? null : p.RequiredLabels.Order(StringComparer.Ordinal).ToArray();
        _validated.GetOrAdd(text, _ => SampleExtractorBuilder.Build(p) is not null);
        var series = await LookupAsync(selector, p.StartNs, p.EndNs, ct).ConfigureAwait(false);
        var pages = await data.SelectSamplesAsync(tenant, series, p.StartNs, p.EndNs, text, hints, ct).ConfigureAwait(false);
        var bySeries = new Dictionary<string, SampleSeries>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            Count(page.Stats);
            foreach (var s in page.Series)
            {
                if (!bySeries.TryGetValue(s.Labels, out var series2))
                {
                    series2 = new SampleSeries(Pairs(s.LabelPairs), s.Labels, new List<SamplePoint>(s.Timestamps.Length));
                    bySeries.Add(s.Labels, series2);
                }
                for (var i = 0; i < s.Timestamps.Length; i++)
                {
                    series2.Samples.Add(new SamplePoint(s.Timestamps[i], s.Values[i]));
                }
            }
        }
        // Series in label order: aggregations over them then add in one order however the query was split.
        foreach (var s in bySeries.Values.OrderBy(s => s.LabelsString, StringComparer.Ordinal))
        {
            // Equal timestamps ordered by value: sums over a window then add in the same order however the data was
            // sharded, so a split never changes a result in the last bit.
            s.Samples.Sort(static (a, b) => a.TimestampNs != b.TimestampNs ? a.TimestampNs.CompareTo(b.TimestampNs) : a.Value.CompareTo(b.Value));
            yield return s;
        }
    }

    private async Task<List<SeriesMatch>> LookupAsync(LogSelectorExpr selector, long startNs, long endNs, CancellationToken ct)
    {
        var series = await data.LookupAsync(tenant, ToSpecs(selector.Matchers), startNs, endNs, ct).ConfigureAwait(false);
        Interlocked.Add(ref _shards, GrainDataSource.ShardCount(series.Count));
        Interlocked.Increment(ref _subqueries);
        return series;
    }

    private void Count(ReadStats stats)
    {
        lock (_stats)
        {
            _stats.Add(stats);
        }
    }

    public static List<MatcherSpec> ToSpecs(IEnumerable<LabelMatcher> matchers)
    {
        var specs = new List<MatcherSpec>();
        foreach (var m in matchers)
        {
            specs.Add(new MatcherSpec(m.Name, LabelMatcher.OperatorText(m.Type), m.Value));
        }
        return specs;
    }

    private static KeyValuePair<string, string>[] Pairs(string[]? flat)
    {
        if (flat is null || flat.Length == 0)
        {
            return [];
        }
        var pairs = new KeyValuePair<string, string>[flat.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(flat[2 * i], flat[(2 * i) + 1]);
        }
        return pairs;
    }
}
