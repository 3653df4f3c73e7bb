using System.Text;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// Executes LogQL queries: asks the <see cref="ILogQuerier"/> for entries or samples and evaluates everything above
/// (range windows, aggregations, binary operations, limits), as Loki's engine does.
/// </summary>
public sealed class LogQLEngine(ILogQuerier querier, EngineOptions options)
{
    // Loki's cap on points per series of a range query.
    private const int MaxPoints = 11_000;

    /// <summary>Runs a query. Throws <see cref="ParseException"/> for invalid queries and <see cref="QueryException"/> for execution errors.</summary>
    public async Task<QueryResult> ExecuteAsync(QueryParams p, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(p);
        var expr = p.Expr ?? LogQLParser.Parse(p.Query ?? throw new ArgumentException("query or expr required", nameof(p)));
        if (!p.Instant && expr is SampleExpr && expr.ToString().Contains("approx_topk(", StringComparison.Ordinal))
        {
            // Loki's approx_topk runs on count-min sketches, which answer instant queries only.
            throw new QueryException(LokiErrors.CountMinSketchInstantOnly);
        }
        return expr switch
        {
            LogSelectorExpr selector => await ExecuteLogAsync(selector, p, ct).ConfigureAwait(false),
            SampleExpr sample => await ExecuteMetricAsync(sample, p, ct).ConfigureAwait(false),
            _ => throw new QueryException($"unexpected expression type {expr.GetType().Name}"),
        };
    }

    private async Task<QueryResult> ExecuteLogAsync(LogSelectorExpr selector, QueryParams p, CancellationToken ct)
    {
        if (p.Instant)
        {
            throw new QueryException(LokiErrors.LogQueryAsInstant);
        }
        var all = new List<(ResultStream Stream, LogEntry Entry)>();
        long bytes = 0;
        await foreach (var s in querier.SelectLogsAsync(new SelectLogParams(selector, p.StartNs, p.EndNs, p.Direction, p.Limit), ct).ConfigureAwait(false))
        {
            foreach (var e in s.Entries)
            {
                if (e.TimestampNs >= p.StartNs && e.TimestampNs < p.EndNs)
                {
                    all.Add((s, e));
                    bytes += Encoding.UTF8.GetByteCount(e.Line);
                }
            }
        }
        var forward = p.Direction == Direction.Forward;
        all.Sort((a, b) => ResultMerge.CompareEntries(p.Direction, a.Entry.TimestampNs, a.Stream.LabelsString, a.Entry.Line,
            b.Entry.TimestampNs, b.Stream.LabelsString, b.Entry.Line));
        var streams = new Dictionary<string, ResultStream>(StringComparer.Ordinal);
        var kept = 0;
        long? last = null;
        foreach (var (stream, entry) in all)
        {
            if (kept >= p.Limit)
            {
                break;
            }
            if (p.IntervalNs > 0 && last is { } l && (forward ? entry.TimestampNs < l + p.IntervalNs : entry.TimestampNs > l - p.IntervalNs))
            {
                continue;
            }
            last = entry.TimestampNs;
            if (!streams.TryGetValue(stream.LabelsString, out var rs))
            {
                rs = new ResultStream(stream.Labels, stream.LabelsString, []);
                streams.Add(stream.LabelsString, rs);
            }
            rs.Entries.Add(entry);
            kept++;
        }
        var result = streams.Values.OrderBy(s => s.LabelsString, StringComparer.Ordinal).ToList();
        return new QueryResult("streams", result, null, null, null, new QueryStatistics(all.Count, bytes, kept, result.Count));
    }

    private async Task<QueryResult> ExecuteMetricAsync(SampleExpr expr, QueryParams p, CancellationToken ct)
    {
        var steps = Steps(p);
        var evaluator = new Evaluator(querier, steps, ct);
        var data = await evaluator.EvalAsync(expr).ConfigureAwait(false);
        var stats = (long)evaluator.SamplesFetched;
        if (p.Instant)
        {
            if (data.Scalar is { } scalar)
            {
                return new QueryResult("scalar", null, null, null, new SamplePoint(steps[0], scalar), new QueryStatistics(stats, 0, 0, 0));
            }
            var vector = data.Vectors![0];
            CheckSeriesLimit(vector.Count);
            // As Loki's Sortable: a sort anywhere in the query keeps the evaluated order (e.g. sort(x) + 1).
            IEnumerable<StepSample> ordered = expr is VectorAggregationExpr { Operation: VectorOp.Sort or VectorOp.SortDesc } || ContainsSort(expr)
                ? vector
                : vector.OrderBy(s => s.Labels, Comparer<KeyValuePair<string, string>[]>.Create(LabelSet.Compare));
            var samples = ordered.Select(s => new VectorSample(s.Labels, s.Key, steps[0], s.Value)).ToList();
            return new QueryResult("vector", null, null, samples, null, new QueryStatistics(stats, 0, 0, samples.Count));
        }
        var series = new Dictionary<string, Series>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Length; i++)
        {
            if (data.Scalar is { } v)
            {
                Add(series, [], "{}", steps[i], v);
                continue;
            }
            foreach (var s in data.Vectors![i])
            {
                Add(series, s.Labels, s.Key, steps[i], s.Value);
            }
            CheckSeriesLimit(series.Count);
        }
        var matrix = series.Values.OrderBy(s => s.Labels, Comparer<KeyValuePair<string, string>[]>.Create(LabelSet.Compare)).ToList();
        return new QueryResult("matrix", null, matrix, null, null, new QueryStatistics(stats, 0, 0, matrix.Count));
    }

    private static void Add(Dictionary<string, Series> series, KeyValuePair<string, string>[] labels, string key, long ts, double value)
    {
        if (!series.TryGetValue(key, out var s))
        {
            s = new Series(labels, key, []);
            series.Add(key, s);
        }
        s.Points.Add(new SamplePoint(ts, value));
    }

    private void CheckSeriesLimit(int count)
    {
        if (count > options.MaxQuerySeries)
        {
            throw ResultMerge.SeriesLimit(options.MaxQuerySeries);
        }
    }

    private static long[] Steps(QueryParams p)
    {
        if (p.Instant)
        {
            return [p.StartNs];
        }
        if (p.StepNs <= 0)
        {
            throw new QueryException(LokiErrors.NonPositiveStep);
        }
        if (p.EndNs < p.StartNs)
        {
            throw new QueryException(LokiErrors.EndBeforeStart);
        }
        var count = ((p.EndNs - p.StartNs) / p.StepNs) + 1;
        if (count > MaxPoints)
        {
            throw new QueryException(LokiErrors.MaxResolution);
        }
        var steps = new long[count];
        for (var i = 0; i < count; i++)
        {
            steps[i] = p.StartNs + (i * p.StepNs);
        }
        return steps;
    }

    private static bool ContainsSort(Expr expr)
    {
        var text = expr.ToString();
        return text.Contains("sort(", StringComparison.Ordinal) || text.Contains("sort_desc(", StringComparison.Ordinal);
    }
}
