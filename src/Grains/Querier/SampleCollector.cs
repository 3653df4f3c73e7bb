using System.Runtime.InteropServices;
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

    // With a grouping: the names a sample's series is reduced to (sorted), this line's values of them (null: absent),
    // and the series by those values.
    private readonly string[]? _names;
    private readonly string?[]? _values;
    private readonly Dictionary<string?[], Series>? _byGroup;

    /// <param name="grouping">
    /// Null: each sample's series has the line's full label set. Otherwise the sorted names it is reduced to (see
    /// <see cref="SelectRequest.Grouping"/>): only those labels are read per line, not the whole set. Lines with a
    /// pipeline error keep their full label set.
    /// </param>
    public SampleCollector(string[]? grouping = null)
    {
        if (grouping is not null)
        {
            _names = [.. grouping.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            _values = new string?[_names.Length];
            _byGroup = new Dictionary<string?[], Series>(ValuesComparer.Instance);
        }
    }

    public void Add(LabelsBuilder labels, long ts, double value) => Find(labels).Add(ts, value);

    /// <summary>The series a sample with these labels goes to (see <see cref="Add(LabelsBuilder, long, double)"/>).</summary>
    internal Series Find(LabelsBuilder labels)
    {
        // A line with a pipeline error keeps its full label set: the query fails on it, and the error names the series.
        if (_names is not null && !labels.TryGet(PipelineErrors.ErrorLabel, out _))
        {
            return FindGrouped(labels);
        }
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
        return _last!;
    }

    private Series FindGrouped(LabelsBuilder labels)
    {
        var names = _names!;
        var values = _values!;
        for (var i = 0; i < names.Length; i++)
        {
            values[i] = labels.TryGet(names[i], out var v) ? v : null;
        }
        if (_last?.GroupKey is not { } last || !ValuesComparer.Instance.Equals(values, last))
        {
            if (!_byGroup!.TryGetValue(values, out var series))
            {
                var key = (string?[])values.Clone();
                var pairs = new List<KeyValuePair<string, string>>(names.Length);
                for (var i = 0; i < names.Length; i++)
                {
                    if (key[i] is { } v)
                    {
                        pairs.Add(new(names[i], v));
                    }
                }
                var labelSet = pairs.ToArray();
                series = Get(LabelsBuilder.Format(labelSet), labelSet);
                series.GroupKey = key;
                _byGroup.Add(key, series);
            }
            _last = series;
            // The cached full label set no longer names _last (lines with an error take that path).
            _lastLabels = null;
        }
        return _last;
    }

    public void Add(SamplePage page)
    {
        foreach (var s in page.Series)
        {
            var series = Get(s.Labels, s.LabelPairs);
            series.StartRun();
            series.Timestamps.AddRange(s.Timestamps);
            series.Values.AddRange(s.Values);
        }
    }

    public void Add(SampleCollector other)
    {
        foreach (var (key, s) in other._series)
        {
            var series = Get(key, s.Pairs);
            series.StartRun();
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
        var parts = new List<(int Window, double Sum)>();
        foreach (var (key, s) in _series)
        {
            // Each run (one stream's samples, usually already in time order) is summed on its own, without sorting
            // the concatenation; the runs' window sums are then added per window.
            var ts = CollectionsMarshal.AsSpan(s.Timestamps);
            var values = CollectionsMarshal.AsSpan(s.Values);
            parts.Clear();
            var start = 0;
            for (var r = 0; r <= s.Runs.Count; r++)
            {
                var end = r < s.Runs.Count ? s.Runs[r] : ts.Length;
                Accumulate(ts[start..end], values[start..end], windows, parts);
                start = end;
            }
            if (s.Runs.Count > 0)
            {
                parts.Sort(static (a, b) => a.Window.CompareTo(b.Window));
            }
            var ends = new List<long>(parts.Count);
            var sums = new List<double>(parts.Count);
            var last = -1;
            foreach (var (window, sum) in parts)
            {
                if (window == last)
                {
                    sums[^1] += sum;
                    continue;
                }
                ends.Add(windows.FirstEndNs + (window * windows.StepNs));
                sums.Add(sum);
                last = window;
            }
            if (ends.Count > 0)
            {
                result.Add(new SamplePageSeries(key, s.Pairs, [.. ends], [.. sums]));
            }
        }
        return new SamplePage(result, stats);
    }

    /// <summary>
    /// As merging <paramref name="parts"/> into one collector and calling <see cref="ToPage(ReadStats, StepWindows)"/>,
    /// without concatenating their samples: each part's window sums are added per series and window (exact, as the
    /// sums are of integral values).
    /// </summary>
    public static SamplePage ToPage(IReadOnlyList<SampleCollector> parts, ReadStats stats, StepWindows windows)
    {
        if (parts.Count == 1)
        {
            return parts[0].ToPage(stats, windows);
        }
        var merged = new Dictionary<string, (string[] Pairs, SortedDictionary<long, double> Sums)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var part in parts)
        {
            foreach (var series in part.ToPage(stats, windows).Series)
            {
                if (!merged.TryGetValue(series.Labels, out var m))
                {
                    m = (series.LabelPairs, new SortedDictionary<long, double>());
                    merged.Add(series.Labels, m);
                    order.Add(series.Labels);
                }
                for (var i = 0; i < series.Timestamps.Length; i++)
                {
                    m.Sums[series.Timestamps[i]] = m.Sums.TryGetValue(series.Timestamps[i], out var sum) ? sum + series.Values[i] : series.Values[i];
                }
            }
        }
        return new SamplePage([.. order.Select(key => new SamplePageSeries(key, merged[key].Pairs, [.. merged[key].Sums.Keys], [.. merged[key].Sums.Values]))], stats);
    }

    /// <summary>
    /// Sums of the values in every non-empty window <c>(end - range, end]</c>. Exact, whatever the order of addition,
    /// for the integral values (counts, line lengths) this is used for, so shards can be added in any order.
    /// </summary>
    internal static (long[] Ends, double[] Sums) WindowSums(long[] timestamps, double[] values, StepWindows windows)
    {
        var parts = new List<(int Window, double Sum)>();
        Accumulate(timestamps, values, windows, parts);
        return ([.. parts.Select(p => windows.FirstEndNs + (p.Window * windows.StepNs))], [.. parts.Select(p => p.Sum)]);
    }

    /// <summary>
    /// Appends (window index, sum) for every non-empty window over the samples, in window order; sorts the samples
    /// first unless they are in time order already. Skips runs of empty windows, so the cost is the samples plus
    /// the non-empty windows, not the window count.
    /// </summary>
    private static void Accumulate(Span<long> ts, Span<double> values, StepWindows windows, List<(int Window, double Sum)> into)
    {
        var n = ts.Length;
        if (n == 0)
        {
            return;
        }
        for (var k = 1; k < n; k++)
        {
            if (ts[k] < ts[k - 1])
            {
                ts.Sort(values);
                break;
            }
        }
        double hiSum = 0, loSum = 0;
        int lo = 0, hi = 0;
        var i = FirstWindowEndingAtOrAfter(ts[0], windows);
        while (i < windows.Count && lo < n)
        {
            var end = windows.FirstEndNs + (i * windows.StepNs);
            while (hi < n && ts[hi] <= end)
            {
                hiSum += values[hi++];
            }
            while (lo < hi && ts[lo] <= end - windows.RangeNs)
            {
                loSum += values[lo++];
            }
            if (hi > lo)
            {
                into.Add((i, hiSum - loSum));
                i++;
            }
            else
            {
                // Nothing in this window: the next one that can hold a sample is the first ending at or after it.
                i = hi < n ? Math.Max(i + 1, FirstWindowEndingAtOrAfter(ts[hi], windows)) : windows.Count;
            }
        }
    }

    private static int FirstWindowEndingAtOrAfter(long ts, StepWindows windows)
    {
        if (ts <= windows.FirstEndNs)
        {
            return 0;
        }
        var i = ((ts - windows.FirstEndNs) + windows.StepNs - 1) / windows.StepNs;
        return (int)Math.Min(i, windows.Count);
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

    /// <summary>Grouping values equal by position (ordinal; null only equals null).</summary>
    private sealed class ValuesComparer : IEqualityComparer<string?[]>
    {
        public static readonly ValuesComparer Instance = new();

        public bool Equals(string?[]? x, string?[]? y)
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
                if (!string.Equals(x[i], y[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }

        public int GetHashCode(string?[] obj)
        {
            var hash = new HashCode();
            foreach (var v in obj)
            {
                hash.Add(v, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }

    internal sealed class Series(string[] pairs)
    {
        public void Add(long ts, double value)
        {
            Timestamps.Add(ts);
            Values.Add(value);
        }

        public string[] Pairs { get; } = pairs;

        /// <summary>With a grouping: the values that select this series.</summary>
        public string?[]? GroupKey { get; set; }

        /// <summary>Where each added run of samples after the first starts (each run usually in time order).</summary>
        public List<int> Runs { get; } = [];

        public void StartRun()
        {
            if (Timestamps.Count > 0)
            {
                Runs.Add(Timestamps.Count);
            }
        }
        public List<long> Timestamps { get; } = [];
        public List<double> Values { get; } = [];
    }
}
