using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Patterns;

/// <summary>
/// Patterns of a set of log lines, per detected level (the <c>detected_level</c> structured metadata, else
/// <c>unknown</c>): one Drain per level, then each pattern's line counts per step bucket.
/// </summary>
internal sealed class PatternExtractor(DrainOptions options)
{
    private const string LevelKey = "detected_level";
    private const string UnknownLevel = "unknown";

    private readonly Dictionary<string, Drain> _byLevel = new(StringComparer.Ordinal);

    public void Add(LogEntry entry)
    {
        var level = UnknownLevel;
        foreach (var (name, value) in entry.StructuredMetadata)
        {
            if (name == LevelKey && value.Length > 0)
            {
                level = value;
            }
        }
        if (!_byLevel.TryGetValue(level, out var drain))
        {
            drain = new Drain(options);
            _byLevel.Add(level, drain);
        }
        drain.Train(entry.Line, entry.TimestampNs);
    }

    /// <summary>
    /// Every pattern with its counts per bucket (<c>ts - ts % step</c>), from its first to its last bucket with empty
    /// buckets as zero; most frequent pattern first.
    /// </summary>
    public List<PatternSeries> Result(long stepNs)
    {
        var merged = new Dictionary<(string Pattern, string Level), SortedDictionary<long, long>>();
        foreach (var (level, drain) in _byLevel)
        {
            foreach (var cluster in drain.Clusters)
            {
                var key = (cluster.Pattern(), level);
                if (!merged.TryGetValue(key, out var buckets))
                {
                    buckets = [];
                    merged.Add(key, buckets);
                }
                foreach (var ts in cluster.Timestamps)
                {
                    var bucket = ts - (((ts % stepNs) + stepNs) % stepNs);
                    buckets[bucket] = buckets.GetValueOrDefault(bucket) + 1;
                }
            }
        }
        var result = new List<PatternSeries>(merged.Count);
        foreach (var ((pattern, level), buckets) in merged)
        {
            var samples = new List<(long, long)>();
            var first = buckets.Keys.First();
            var last = buckets.Keys.Last();
            for (var b = first; b <= last; b += stepNs)
            {
                samples.Add((b, buckets.GetValueOrDefault(b)));
            }
            result.Add(new PatternSeries(pattern, level, samples, buckets.Values.Sum()));
        }
        result.Sort(static (a, b) => b.Total != a.Total ? b.Total.CompareTo(a.Total) : string.CompareOrdinal(a.Pattern, b.Pattern));
        return result;
    }
}

/// <summary>One pattern of one level: counts per bucket start (ns) and the total.</summary>
internal sealed record PatternSeries(string Pattern, string Level, List<(long TimestampNs, long Count)> Samples, long Total);
