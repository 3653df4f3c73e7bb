using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Querier;

/// <summary>Accumulates extracted samples per output series as parallel arrays.</summary>
internal sealed class SampleCollector
{
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    // Series by label contents: formatting the labels string costs more than decoding the line, and entries with
    // structured metadata (detected_level…) change the builder on every line, so its string cache never hits.
    private readonly Dictionary<KeyValuePair<string, string>[], Series> _byLabels = new(LabelsComparer.Instance);
    private KeyValuePair<string, string>[]? _lastLabels;
    private Series? _last;

    public void Add(LabelsBuilder labels, long ts, double value)
    {
        var pairs = labels.Labels();
        // Most samples of a stream share one label set: an unchanged builder returns the same array instance.
        if (!ReferenceEquals(pairs, _lastLabels) && (_lastLabels is null || !LabelsComparer.Instance.Equals(pairs, _lastLabels)))
        {
            if (!_byLabels.TryGetValue(pairs, out var series))
            {
                series = Get(labels.LabelsString(), pairs);
                _byLabels.Add(pairs, series);
            }
            _last = series;
            _lastLabels = pairs;
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

    /// <summary>Label sets equal by names and values (ordinal).</summary>
    private sealed class LabelsComparer : IEqualityComparer<KeyValuePair<string, string>[]>
    {
        public static readonly LabelsComparer Instance = new();

        public bool Equals(KeyValuePair<string, string>[]? x, KeyValuePair<string, string>[]? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }
            if (x is null || y is null || x.Length != y.Length)
            {
                return false;
            }
            for (var i = 0; i < x.Length; i++)
            {
                if (!string.Equals(x[i].Key, y[i].Key, StringComparison.Ordinal) || !string.Equals(x[i].Value, y[i].Value, StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }

        public int GetHashCode(KeyValuePair<string, string>[] obj)
        {
            var hash = new HashCode();
            foreach (var kv in obj)
            {
                hash.Add(kv.Key, StringComparer.Ordinal);
                hash.Add(kv.Value, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }

    private sealed class Series(string[] pairs)
    {
        public string[] Pairs { get; } = pairs;
        public List<long> Timestamps { get; } = [];
        public List<double> Values { get; } = [];
    }
}
