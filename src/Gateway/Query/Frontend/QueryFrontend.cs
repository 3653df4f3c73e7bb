using System.Diagnostics;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Gateway.Query.Frontend;

/// <summary>
/// Parses a query once, splits it by time (<c>split_queries_by_interval</c>), runs the splits in parallel (up to
/// <c>max_query_parallelism</c>) and recombines them exactly:
/// <list type="bullet">
/// <item>metric range queries: the steps are grouped by the interval they fall in; each group is evaluated on its own,
/// every step over its whole window, so a step's value never depends on the split;</item>
/// <item>log queries: the range is cut at interval boundaries; each split returns its first <c>limit</c> entries in
/// direction, and the splits, visited in direction, are concatenated up to the global limit; once it is filled the
/// remaining splits are cancelled. The first split runs alone, since it alone often fills the limit.</item>
/// </list>
/// Instant queries, log queries with <c>interval</c> (one entry per interval across splits) and a zero split interval
/// run unsplit. Series of the merged result are checked against <c>max_query_series</c>.
/// Every split (and every unsplit query) runs through the <see cref="FairScheduler"/> shared by all tenants. With a
/// <see cref="ResultsCache"/>, metric splits older than <c>max_cache_freshness_per_query</c> are answered from it.
/// </summary>
public sealed class QueryFrontend(GrainDataSource data, FairScheduler scheduler, ResultsCache? cache = null)
{
    /// <summary>A frontend with its own scheduler of the default bounds.</summary>
    public QueryFrontend(GrainDataSource data)
        : this(data, new FairScheduler(new FrontendOptions().MaxConcurrent, new FrontendOptions().MaxOutstandingPerTenant))
    {
    }

    private const int MaxPoints = 11_000;

    /// <summary>Runs <paramref name="p"/> for <paramref name="tenant"/>.</summary>
    /// <exception cref="ParseException">The query does not parse.</exception>
    /// <exception cref="QueryException">The query cannot be executed (limits, pipeline errors).</exception>
    public Task<FrontendResult> ExecuteAsync(string tenant, QueryParams p, QueryLimits limits, CancellationToken ct) =>
        ExecuteAsync([tenant], p, limits, ct);

    /// <summary>
    /// Runs <paramref name="p"/> over <paramref name="tenants"/>: one tenant as usual; several (<c>a|b</c>) each read on
    /// its own, every result stream or series labelled with <c>__tenant_id__</c>.
    /// </summary>
    /// <exception cref="ParseException">The query does not parse.</exception>
    /// <exception cref="QueryException">The query cannot be executed (limits, pipeline errors).</exception>
    public async Task<FrontendResult> ExecuteAsync(string[] tenants, QueryParams p, QueryLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(limits);
        var expr = p.Expr ?? LogQLParser.Parse(p.Query ?? "");
        p = p with { Expr = expr };
        var querier = new GrainLogQuerier(data, tenants);
        var engine = new LogQLEngine(querier, new EngineOptions { MaxQuerySeries = limits.MaxQuerySeries });
        var intervalNs = limits.SplitQueriesByInterval.Ticks * 100;
        var parallelism = Math.Max(1, limits.EffectiveParallelism);
        // Loki queues a multi-tenant query under its whole org id ("a|b").
        var queue = string.Join('|', tenants);
        long queuedTicks = 0;
        Func<QueryParams, CancellationToken, Task<QueryResult>> run = (q, token) =>
        {
            var enqueued = Stopwatch.GetTimestamp();
            return scheduler.RunAsync(queue, t =>
            {
                Interlocked.Add(ref queuedTicks, Stopwatch.GetTimestamp() - enqueued);
                return engine.ExecuteAsync(q, t);
            }, token);
        };
        QueryResult result;
        int splits;
        if (p.Instant || intervalNs <= 0)
        {
            (result, splits) = (await run(p, ct).ConfigureAwait(false), 1);
        }
        else if (expr is LogSelectorExpr)
        {
            (result, splits) = p.IntervalNs > 0
                ? (await run(p, ct).ConfigureAwait(false), 1)
                : await LogsAsync(run, p, intervalNs, parallelism, ct).ConfigureAwait(false);
        }
        else
        {
            var cached = cache is { Enabled: true } ? new CachedSplits(cache, tenants, expr.ToString(), limits.MaxCacheFreshness) : null;
            (result, splits) = await MetricAsync(run, p, intervalNs, parallelism, limits.MaxQuerySeries, cached, ct).ConfigureAwait(false);
        }
        return new FrontendResult(result, querier, splits) { QueueSeconds = (double)Interlocked.Read(ref queuedTicks) / Stopwatch.Frequency };
    }

    private static async Task<(QueryResult, int)> MetricAsync(Func<QueryParams, CancellationToken, Task<QueryResult>> run, QueryParams p, long intervalNs, int parallelism, int maxSeries, CachedSplits? cached, CancellationToken ct)
    {
        if (p.StepNs <= 0 || p.EndNs < p.StartNs || ((p.EndNs - p.StartNs) / p.StepNs) + 1 > MaxPoints)
        {
            // Invalid step grids fail in the engine with Loki's message.
            return (await run(p, ct).ConfigureAwait(false), 1);
        }
        var groups = new List<(long First, long Last)>();
        for (var ts = p.StartNs; ts <= p.EndNs; ts += p.StepNs)
        {
            if (groups.Count > 0 && FloorDiv(groups[^1].First, intervalNs) == FloorDiv(ts, intervalNs))
            {
                groups[^1] = (groups[^1].First, ts);
            }
            else
            {
                groups.Add((ts, ts));
            }
        }
        if (cached is not null)
        {
            var uncached = run;
            run = (q, token) => cached.RunAsync(uncached, q, intervalNs, token);
        }
        if (groups.Count == 1)
        {
            return (await run(p, ct).ConfigureAwait(false), 1);
        }
        var tasks = Bounded.Start(groups.Count, parallelism, (i, token) =>
            run(p with { StartNs = groups[i].First, EndNs = groups[i].Last }, token), ct);
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return (ResultMerge.MergeMatrix(results, maxSeries), groups.Count);
    }

    private static async Task<(QueryResult, int)> LogsAsync(Func<QueryParams, CancellationToken, Task<QueryResult>> run, QueryParams p, long intervalNs, int parallelism, CancellationToken ct)
    {
        var ranges = new List<(long From, long Through)>();
        for (var from = p.StartNs; from < p.EndNs;)
        {
            var through = Math.Min(p.EndNs, (FloorDiv(from, intervalNs) + 1) * intervalNs);
            ranges.Add((from, through));
            from = through;
        }
        if (ranges.Count <= 1)
        {
            return (await run(p, ct).ConfigureAwait(false), 1);
        }
        if (p.Direction == Direction.Backward)
        {
            ranges.Reverse();
        }
        // The split nearest the start of the direction runs first, alone: a limit query (Grafana's Explore) is usually
        // filled by it, and then no other split is read at all. The rest run in parallel, in direction order.
        var first = await run(p with { StartNs = ranges[0].From, EndNs = ranges[0].Through }, ct).ConfigureAwait(false);
        var done = new List<QueryResult> { first };
        long entries = first.Statistics.EntriesReturned;
        var i = 1;
        if (entries < p.Limit)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var tasks = Bounded.Start(ranges.Count - 1, parallelism, (n, token) =>
                run(p with { StartNs = ranges[n + 1].From, EndNs = ranges[n + 1].Through }, token), stop.Token);
            for (; i < ranges.Count && entries < p.Limit; i++)
            {
                var r = await tasks[i - 1].ConfigureAwait(false);
                done.Add(r);
                entries += r.Statistics.EntriesReturned;
            }
            if (i < ranges.Count)
            {
                // The limit is filled by the splits nearest the start of the direction: the rest cannot contribute.
                await stop.CancelAsync().ConfigureAwait(false);
                await Bounded.DrainCancelledAsync(tasks[(i - 1)..], ct).ConfigureAwait(false);
            }
        }
        return (ResultMerge.MergeStreams(done, p.Direction, p.Limit), i);
    }

    /// <summary>One query's view of the results cache: a split is looked up by its steps before it runs.</summary>
    private sealed class CachedSplits(ResultsCache cache, string[] tenants, string canonicalQuery, TimeSpan maxFreshness)
    {
        public async Task<QueryResult> RunAsync(Func<QueryParams, CancellationToken, Task<QueryResult>> run, QueryParams split, long intervalNs, CancellationToken ct)
        {
            var key = await cache.KeyAsync(tenants, canonicalQuery, split.StepNs, intervalNs, split.StartNs, split.EndNs, maxFreshness, ct).ConfigureAwait(false);
            if (key is not null && cache.TryGet(key, out var hit))
            {
                // Nothing was read for this split: its statistics are zero, as Loki's cached extents are.
                return hit with { Statistics = new QueryStatistics(0, 0, 0, hit.Statistics.SeriesReturned) };
            }
            var result = await run(split, ct).ConfigureAwait(false);
            if (key is not null)
            {
                cache.Put(key, result);
            }
            return result;
        }
    }

    private static long FloorDiv(long a, long b) => (a / b) - (((a % b) != 0 && ((a < 0) ^ (b < 0))) ? 1 : 0);
}

/// <summary>A query's merged result, its data source (for the read statistics) and the number of splits run.</summary>
public sealed record FrontendResult(QueryResult Result, GrainLogQuerier Querier, int Splits)
{
    /// <summary>Seconds the query's sub-queries waited in the fair queue, summed.</summary>
    public double QueueSeconds { get; init; }
}
