
namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// Recombines the results of a query split by time into the result of the unsplit query. Metric splits own disjoint
/// sets of steps (each evaluated over its whole window), so their series concatenate; log splits own disjoint time
/// ranges, so in direction order their entries are already globally ordered and the global limit is a prefix.
/// </summary>
public static class ResultMerge
{
    /// <summary>Result order of log entries: timestamp in direction, then stream labels, then line (ordinal); a total order.</summary>
    public static int CompareEntries(Direction direction, long aTs, string aLabels, string aLine, long bTs, string bLabels, string bLine)
    {
        var c = aTs.CompareTo(bTs);
        if (direction == Direction.Backward)
        {
            c = -c;
        }
        if (c == 0)
        {
            c = string.CompareOrdinal(aLabels, bLabels);
        }
        return c != 0 ? c : string.CompareOrdinal(aLine, bLine);
    }

    /// <summary>The entries of a streams result in result order.</summary>
    public static List<(ResultStream Stream, LogEntry Entry)> Ordered(QueryResult result, Direction direction)
    {
        ArgumentNullException.ThrowIfNull(result);
        var all = new List<(ResultStream Stream, LogEntry Entry)>();
        foreach (var s in result.Streams ?? [])
        {
            foreach (var e in s.Entries)
            {
                all.Add((s, e));
            }
        }
        all.Sort((a, b) => CompareEntries(direction, a.Entry.TimestampNs, a.Stream.LabelsString, a.Entry.Line, b.Entry.TimestampNs, b.Stream.LabelsString, b.Entry.Line));
        return all;
    }

    /// <summary>
    /// Log splits given in direction order (newest range first when backward): the first <paramref name="limit"/>
    /// entries, grouped into streams ordered by labels as the engine orders them.
    /// </summary>
    public static QueryResult MergeStreams(IEnumerable<QueryResult> splitsInDirection, Direction direction, int limit)
    {
        ArgumentNullException.ThrowIfNull(splitsInDirection);
        var streams = new Dictionary<string, ResultStream>(StringComparer.Ordinal);
        long kept = 0, lines = 0, bytes = 0;
        foreach (var split in splitsInDirection)
        {
            lines += split.Statistics.LinesProcessed;
            bytes += split.Statistics.BytesProcessed;
            foreach (var (stream, entry) in Ordered(split, direction))
            {
                if (kept >= limit)
                {
                    break;
                }
                if (!streams.TryGetValue(stream.LabelsString, out var rs))
                {
                    rs = new ResultStream(stream.Labels, stream.LabelsString, []);
                    streams.Add(stream.LabelsString, rs);
                }
                rs.Entries.Add(entry);
                kept++;
            }
        }
        var result = streams.Values.OrderBy(s => s.LabelsString, StringComparer.Ordinal).ToList();
        return new QueryResult("streams", result, null, null, null, new QueryStatistics(lines, bytes, kept, result.Count));
    }

    /// <summary>
    /// Matrix splits given in step order: series concatenated by labels, ordered as the engine orders them.
    /// </summary>
    /// <exception cref="QueryException">More than <paramref name="maxSeries"/> series (Loki's max_query_series message).</exception>
    public static QueryResult MergeMatrix(IEnumerable<QueryResult> splitsInStepOrder, int maxSeries)
    {
        ArgumentNullException.ThrowIfNull(splitsInStepOrder);
        var series = new Dictionary<string, Series>(StringComparer.Ordinal);
        long lines = 0, bytes = 0;
        foreach (var split in splitsInStepOrder)
        {
            lines += split.Statistics.LinesProcessed;
            bytes += split.Statistics.BytesProcessed;
            foreach (var s in split.Matrix ?? [])
            {
                if (!series.TryGetValue(s.LabelsString, out var merged))
                {
                    merged = new Series(s.Labels, s.LabelsString, []);
                    series.Add(s.LabelsString, merged);
                    if (series.Count > maxSeries)
                    {
                        throw SeriesLimit(maxSeries);
                    }
                }
                merged.Points.AddRange(s.Points);
            }
        }
        var matrix = series.Values.OrderBy(s => s.Labels, Comparer<KeyValuePair<string, string>[]>.Create(LabelSet.Compare)).ToList();
        return new QueryResult("matrix", null, matrix, null, null, new QueryStatistics(lines, bytes, 0, matrix.Count));
    }

    /// <summary>Loki's error for a result over max_query_series.</summary>
    public static QueryException SeriesLimit(int maxSeries) => new(
        $"maximum number of series ({maxSeries}) reached for a single query; consider reducing query cardinality by adding more filters or using aggregations");
}
