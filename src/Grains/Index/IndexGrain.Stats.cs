using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Index;

/// <summary>Series, label-value, stats and volume lookups (the index side of Grafana's label browser and volume panels).</summary>
internal sealed partial class IndexGrain
{
    Task<IReadOnlyList<SeriesMatch>> IIndexGrain.SeriesAsync(IReadOnlyList<MatcherSpec> matchers)
    {
        var result = new List<SeriesMatch>();
        foreach (var series in _index.Match(MatcherCompiler.Compile(matchers)))
        {
            result.Add(new SeriesMatch(series.Fingerprint, series.Labels, []));
        }
        return Task.FromResult<IReadOnlyList<SeriesMatch>>(result);
    }

    Task<IReadOnlyList<LabelValueSet>> IIndexGrain.LabelValueSetsAsync(IReadOnlyList<MatcherSpec> matchers)
    {
        var byName = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var series in _index.Match(MatcherCompiler.Compile(matchers)))
        {
            foreach (var (name, value) in series.Pairs)
            {
                if (!byName.TryGetValue(name, out var values))
                {
                    values = new SortedSet<string>(StringComparer.Ordinal);
                    byName.Add(name, values);
                }
                values.Add(value);
            }
        }
        var result = new List<LabelValueSet>(byName.Count);
        foreach (var (name, values) in byName)
        {
            result.Add(new LabelValueSet(name, [.. values]));
        }
        return Task.FromResult<IReadOnlyList<LabelValueSet>>(result);
    }

    Task<IndexStats> IIndexGrain.StatsAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs)
    {
        var acc = new IndexStatsAccumulator();
        foreach (var series in _index.Match(MatcherCompiler.Compile(matchers)))
        {
            acc.Add(series.Fingerprint, series.Chunks, fromNs, throughNs, _dayStartNs, _dayStartNs + Model.TimePartition.DayNs);
        }
        return Task.FromResult(acc.Result());
    }

    Task<VolumeResult> IIndexGrain.VolumeAsync(VolumeRequest request)
    {
        var acc = new VolumeAccumulator(request, _dayStartNs, _dayStartNs + Model.TimePartition.DayNs);
        foreach (var series in _index.Match(MatcherCompiler.Compile(request.Matchers)))
        {
            acc.Add(series.Pairs, series.Chunks);
            if (acc.MaxSeriesHit)
            {
                break;
            }
        }
        return Task.FromResult(acc.Result());
    }
}
