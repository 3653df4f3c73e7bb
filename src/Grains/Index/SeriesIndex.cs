using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// In-memory index of one tenant-day: series by fingerprint, postings per label pair, chunk refs per series.
/// Not thread-safe; owned by one <see cref="IndexGrain"/> activation.
/// </summary>
internal sealed class SeriesIndex
{
    private readonly Dictionary<ulong, Series> _series = [];
    private readonly Dictionary<string, Dictionary<string, HashSet<ulong>>> _postings = new(StringComparer.Ordinal);

    public int SeriesCount => _series.Count;

    public IEnumerable<Series> AllSeries => _series.Values;

    /// <summary>Adds a series if new; returns true when it changed the index.</summary>
    public bool AddSeries(ulong fingerprint, string labels)
    {
        if (_series.ContainsKey(fingerprint))
        {
            return false;
        }
        if (!LabelSet.TryParse(labels, out var pairs, out var error))
        {
            throw new ArgumentException($"series labels '{labels}' do not parse: {error}", nameof(labels));
        }
        var series = new Series(fingerprint, labels, pairs);
        _series.Add(fingerprint, series);
        foreach (var (name, value) in pairs)
        {
            if (!_postings.TryGetValue(name, out var values))
            {
                values = new Dictionary<string, HashSet<ulong>>(StringComparer.Ordinal);
                _postings.Add(name, values);
            }
            if (!values.TryGetValue(value, out var set))
            {
                set = [];
                values.Add(value, set);
            }
            set.Add(fingerprint);
        }
        return true;
    }

    /// <summary>Adds a chunk (idempotent by key); returns true when it changed the index.</summary>
    public bool AddChunk(ulong fingerprint, string labels, ChunkRef chunk)
    {
        var changed = AddSeries(fingerprint, labels);
        var series = _series[fingerprint];
        foreach (var existing in series.Chunks)
        {
            if (existing.Key == chunk.Key)
            {
                return changed;
            }
        }
        series.Chunks.Add(chunk);
        return true;
    }

    /// <summary>Removes the chunks with the given keys; series left without chunks by this call are removed. Returns (changed, series removed).</summary>
    public (bool Changed, int SeriesRemoved) RemoveChunks(IReadOnlySet<string> keys)
    {
        var changed = false;
        List<ulong>? emptied = null;
        foreach (var series in _series.Values)
        {
            var before = series.Chunks.Count;
            if (before == 0 || series.Chunks.RemoveAll(c => keys.Contains(c.Key)) == 0)
            {
                continue;
            }
            changed = true;
            if (series.Chunks.Count == 0)
            {
                (emptied ??= []).Add(series.Fingerprint);
            }
        }
        foreach (var fp in emptied ?? [])
        {
            RemoveSeries(fp);
        }
        return (changed, emptied?.Count ?? 0);
    }

    private void RemoveSeries(ulong fingerprint)
    {
        var series = _series[fingerprint];
        _series.Remove(fingerprint);
        foreach (var (name, value) in series.Pairs)
        {
            if (_postings.TryGetValue(name, out var values) && values.TryGetValue(value, out var set))
            {
                set.Remove(fingerprint);
                if (set.Count == 0)
                {
                    values.Remove(value);
                    if (values.Count == 0)
                    {
                        _postings.Remove(name);
                    }
                }
            }
        }
    }

    public IEnumerable<Series> Match(LabelMatcher[] matchers)
    {
        IEnumerable<ulong>? candidates = null;
        var smallest = int.MaxValue;
        foreach (var m in matchers)
        {
            if (!MatcherCompiler.IsSelectiveEquality(m))
            {
                continue;
            }
            if (!_postings.TryGetValue(m.Name, out var values) || !values.TryGetValue(m.Value, out var set))
            {
                return [];
            }
            if (set.Count < smallest)
            {
                smallest = set.Count;
                candidates = set;
            }
        }

        return Filter(candidates ?? _series.Keys, matchers);
    }

    private IEnumerable<Series> Filter(IEnumerable<ulong> candidates, LabelMatcher[] matchers)
    {
        foreach (var fp in candidates)
        {
            var series = _series[fp];
            if (series.Matches(matchers))
            {
                yield return series;
            }
        }
    }

    internal sealed class Series(ulong fingerprint, string labels, KeyValuePair<string, string>[] pairs)
    {
        public ulong Fingerprint { get; } = fingerprint;
        public string Labels { get; } = labels;
        public KeyValuePair<string, string>[] Pairs { get; } = pairs;
        public List<ChunkRef> Chunks { get; } = [];

        public string Get(string name)
        {
            foreach (var (n, v) in Pairs)
            {
                if (n == name)
                {
                    return v;
                }
            }
            return "";
        }

        public bool Matches(LabelMatcher[] matchers)
        {
            foreach (var m in matchers)
            {
                if (!m.Matches(Get(m.Name)))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
