using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Querier;

/// <summary>Accumulates extracted samples per output series as parallel arrays.</summary>
internal sealed class SampleCollector
{
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private string? _lastKey;
    private Series? _last;

    public void Add(LabelsBuilder labels, long ts, double value)
    {
        var key = labels.LabelsString();
        // Most samples of a stream share one label set, and an unchanged builder returns the same string instance.
        if (!ReferenceEquals(key, _lastKey))
        {
            _last = Get(key, labels.Labels());
            _lastKey = key;
        }
        _last!.Timestamps.Add(ts);
        _last.Values.Add(value);
    }

    public void Add(SamplePage page)
    {
        foreach (var s in page.Series)
        {
            var series = Get(s.Labels, s.LabelPairs);
            series.Timestamps.AddRange(s.Timestamps);
            series.Values.AddRange(s.Values);
        }
    }

    public void Add(SampleCollector other)
    {
        foreach (var (key, s) in other._series)
        {
            var series = Get(key, s.Pairs);
            series.Timestamps.AddRange(s.Timestamps);
            series.Values.AddRange(s.Values);
        }
    }

    public SamplePage ToPage(ReadStats stats) =>
        new([.. _series.Select(kv => new SamplePageSeries(kv.Key, kv.Value.Pairs, [.. kv.Value.Timestamps], [.. kv.Value.Values]))], stats);

    private Series Get(string key, KeyValuePair<string, string>[] labels) =>
        _series.TryGetValue(key, out var s) ? s : Get(key, CompiledQuery.Flatten(labels) ?? []);

    private Series Get(string key, string[] pairs)
    {
        if (!_series.TryGetValue(key, out var s))
        {
            s = new Series(pairs);
            _series.Add(key, s);
        }
        return s;
    }

    private sealed class Series(string[] pairs)
    {
        public string[] Pairs { get; } = pairs;
        public List<long> Timestamps { get; } = [];
        public List<double> Values { get; } = [];
    }
}
