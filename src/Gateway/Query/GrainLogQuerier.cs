using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// The LogQL engine's data source over the cluster: series from the index grains, then the selector's pipeline (log
/// queries) or the range aggregation's extraction (metric queries) runs next to the data in querier and stream grains,
/// which return only selected entries (at most <c>limit</c> per shard, in direction) or compact samples.
/// One instance serves one query of one tenant, possibly several splits of it at once. Given several tenants
/// (<c>a|b</c>), each is read on its own and every stream or series gets a <c>__tenant_id__</c> label (see
/// <see cref="MultiTenant"/>); metric queries see the label before any aggregation, so <c>sum by (__tenant_id__)</c> works.
/// </summary>
public sealed class GrainLogQuerier(GrainDataSource data, string[] tenants) : ILogQuerier
{
    /// <summary>A querier over one tenant.</summary>
    public GrainLogQuerier(GrainDataSource data, string tenant)
        : this(data, [tenant])
    {
    }

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
        var perTenant = MultiTenant.Select(tenants, ToSpecs(p.Selector.Matchers)).Select(async t =>
        {
            var series = await LookupAsync(t.Tenant, t.Matchers, p.StartNs, p.EndNs, ct).ConfigureAwait(false);
            return (t.Tenant, Pages: await data.SelectLogsAsync(t.Tenant, series, p.StartNs, p.EndNs, text, p.Direction == Direction.Backward, p.Limit, ct).ConfigureAwait(false));
        }).ToList();
        var byLabels = new Dictionary<string, ResultStream>(StringComparer.Ordinal);
        foreach (var (tenant, pages) in await Task.WhenAll(perTenant).ConfigureAwait(false))
        {
            foreach (var page in pages)
            {
                Count(page.Stats);
                foreach (var stream in page.Streams)
                {
                    var key = tenants.Length > 1 ? tenant + "\n" + stream.Labels : stream.Labels;
                    if (!byLabels.TryGetValue(key, out var rs))
                    {
                        rs = NewStream(tenant, Pairs(stream.LabelPairs), stream.Labels);
                        byLabels.Add(key, rs);
                    }
                    for (var i = 0; i < stream.Timestamps.Length; i++)
                    {
                        rs.Entries.Add(new LogEntry(stream.Timestamps[i], stream.Lines[i], Pairs(stream.StructuredMetadata[i]), Pairs(stream.Parsed[i])));
                    }
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
        var hints = p.RequiredLabels is null ? null : p.RequiredLabels.Where(l => l != MultiTenant.TenantLabel).Order(StringComparer.Ordinal).ToArray();
        _validated.GetOrAdd(text, _ => SampleExtractorBuilder.Build(p) is not null);
        // Additive window values are summed in the queriers: a few numbers per window instead of every sample.
        var windows = p.WindowSteps is { } w
            ? new StepWindows(w.StartNs - p.Expr.Left.OffsetNs, w.StepNs, w.Count, p.Expr.Left.RangeNs)
            : null;
        // The tenant label is added here, after the queriers: they never see it.
        var grouping = p.Grouping is null ? null : p.Grouping.Where(l => l != MultiTenant.TenantLabel).ToArray();
        var perTenant = MultiTenant.Select(tenants, ToSpecs(selector.Matchers)).Select(async t =>
        {
            var series = await LookupAsync(t.Tenant, t.Matchers, p.StartNs, p.EndNs, ct).ConfigureAwait(false);
            return (t.Tenant, Pages: await data.SelectSamplesAsync(t.Tenant, series, p.StartNs, p.EndNs, text, hints, windows, ct, grouping).ConfigureAwait(false));
        }).ToList();
        var bySeries = new Dictionary<string, SampleSeries>(StringComparer.Ordinal);
        foreach (var (tenant, pages) in await Task.WhenAll(perTenant).ConfigureAwait(false))
        {
            foreach (var page in pages)
            {
                Count(page.Stats);
                foreach (var s in page.Series)
                {
                    var key = tenants.Length > 1 ? tenant + "\n" + s.Labels : s.Labels;
                    if (!bySeries.TryGetValue(key, out var series2))
                    {
                        var labels = Pairs(s.LabelPairs);
                        series2 = tenants.Length > 1
                            ? new SampleSeries(MultiTenant.WithTenant(labels, tenant), "", new List<SamplePoint>(s.Timestamps.Length)) { PerWindow = windows is not null }
                            : new SampleSeries(labels, s.Labels, new List<SamplePoint>(s.Timestamps.Length)) { PerWindow = windows is not null };
                        if (tenants.Length > 1)
                        {
                            series2 = series2 with { LabelsString = Orleans.Loki.LogQL.Log.LabelsBuilder.Format(series2.Labels) };
                        }
                        bySeries.Add(key, series2);
                    }
                    for (var i = 0; i < s.Timestamps.Length; i++)
                    {
                        series2.Samples.Add(new SamplePoint(s.Timestamps[i], s.Values[i]));
                    }
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

    private ResultStream NewStream(string tenant, KeyValuePair<string, string>[] labels, string labelsString)
    {
        if (tenants.Length == 1)
        {
            return new ResultStream(labels, labelsString, []);
        }
        var withTenant = MultiTenant.WithTenant(labels, tenant);
        return new ResultStream(withTenant, Orleans.Loki.LogQL.Log.LabelsBuilder.Format(withTenant), []);
    }

    private async Task<List<SeriesMatch>> LookupAsync(string tenant, List<MatcherSpec> matchers, long startNs, long endNs, CancellationToken ct)
    {
        var series = await data.LookupAsync(tenant, matchers, startNs, endNs, ct).ConfigureAwait(false);
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
