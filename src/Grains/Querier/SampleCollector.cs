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

    /// <summary>Per series, the sum of the values in each non-empty window (see <see cref="StepWindows"/>).</summary>
    public SamplePage ToPage(ReadStats stats, StepWindows windows)
    {
        var result = new List<SamplePageSeries>(_series.Count);
        foreach (var (key, s) in _series)
        {
            var (ends, sums) = WindowSums(s.Timestamps.ToArray(), s.Values.ToArray(), windows);
            if (ends.Length > 0)
            {
                result.Add(new SamplePageSeries(key, s.Pairs, ends, sums));
            }
        }
        return new SamplePage(result, stats);
    }

    /// <summary>
    /// Sums of the values in every non-empty window <c>(end - range, end]</c>. Exact, whatever the order of addition,
    /// for the integral values (counts, line lengths) this is used for, so shards can be added in any order.
    /// </summary>
    internal static (long[] Ends, double[] Sums) WindowSums(long[] timestamps, double[] values, StepWindows windows)
    {
        Array.Sort(timestamps, values);
        var prefix = new double[values.Length + 1];
        for (var i = 0; i < values.Length; i++)
        {
            prefix[i + 1] = prefix[i] + values[i];
        }
        var ends = new List<long>();
        var sums = new List<double>();
        int lo = 0, hi = 0;
        for (var i = 0; i < windows.Count; i++)
        {
            var end = windows.FirstEndNs + (i * windows.StepNs);
            while (hi < timestamps.Length && timestamps[hi] <= end)
            {
                hi++;
            }
            while (lo < hi && timestamps[lo] <= end - windows.RangeNs)
            {
                lo++;
            }
            if (hi > lo)
            {
                ends.Add(end);
                sums.Add(prefix[hi] - prefix[lo]);
            }
        }
        return ([.. ends], [.. sums]);
    }

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
