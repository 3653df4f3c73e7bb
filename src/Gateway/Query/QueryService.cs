using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// Request parsing, limits and responses of the query endpoints, as Loki answers them. Sub-queries go through
/// <paramref name="scheduler"/> when one is registered, else through a scheduler of this gateway built from
/// <see cref="GatewayOptions.Frontend"/>.
/// </summary>
public sealed partial class QueryService(GatewayOptions options, ITenantLimits limits, GrainDataSource data, TimeProvider time, FairScheduler? scheduler = null, ResultsCache? cache = null)
{
    private readonly QueryFrontend _frontend = new(data, scheduler ?? new FairScheduler(options.Frontend.MaxConcurrent, options.Frontend.MaxOutstandingPerTenant), cache);

    /// <summary><c>query_range</c>; <paramref name="legacy"/>: <c>/api/prom/query</c> (Loki's legacy log shape and its <c>regexp</c> parameter).</summary>
    public async Task QueryRangeAsync(HttpContext ctx, bool legacy = false)
    {
        // Loki's ParseRangeQuery order: bounds, end before start, limit, direction, step, interval; then the
        // frontend's limits.
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        var now = LokiTime.NowNs(time);
        if (!request.TryTenants(options, out var problem) || !request.TryBounds(now, out problem) || !request.TryEndNotBeforeStart(out problem) ||
            !request.TryLimit(out var limit, out problem) || !request.TryDirection(Direction.Backward, out var direction, out problem) ||
            !request.TryStep(out var stepNs, out problem) || !request.TryInterval(out var intervalNs, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var query = request["query"] ?? "";
        if (legacy && request["regexp"] is { Length: > 0 } regexp)
        {
            // Loki's legacy regexp parameter: a |~ filter appended to the selector.
            try
            {
                query = $"{LogQLParser.ParseLogSelector(query, validate: true)} |~ {GoQuote.Quote(regexp)}";
            }
            catch (ParseException e)
            {
                await BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
                return;
            }
        }
        if (legacy && LogQLParser.TryParse(query, out var legacyExpr, out _) && !legacyExpr.IsLogQuery)
        {
            // Loki's ParseRangeQuery short-circuits metric queries on the legacy path.
            await BadRequest(LokiErrors.ErrLegacyMetricQuery).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (!request.TryTimeRangeLimits(limits, now, out problem) || !request.TryMaxEntries(limits, limit, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        long startNs = request.StartNs, endNs = request.QueryEndNs;
        if (options.Frontend.AlignQueriesWithStep && LogQLParser.TryParse(query, out var parsed, out _) && !parsed.IsLogQuery)
        {
            // query_range.align_queries_with_step: Loki's frontend moves both ends down to a multiple of the step (in ms).
            var stepMs = stepNs / 1_000_000;
            if (stepMs > 0)
            {
                startNs = FloorMs(startNs) / stepMs * stepMs * 1_000_000;
                endNs = FloorMs(endNs) / stepMs * stepMs * 1_000_000;
            }
        }
        await ExecuteAsync(ctx, request.Tenants, new QueryParams
        {
            Query = query,
            StartNs = startNs,
            EndNs = endNs,
            StepNs = stepNs,
            IntervalNs = intervalNs,
            Direction = direction,
            Limit = limit,
        }, legacy).ConfigureAwait(false);
    }

    public async Task InstantQueryAsync(HttpContext ctx)
    {
        // Loki's ParseInstantQuery order: limit, time, direction.
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        if (!request.TryTenants(options, out var problem) || !request.TryLimit(out var limit, out problem) ||
            !request.TryTime(LokiTime.NowNs(time), out var at, out problem) || !request.TryDirection(Direction.Backward, out var direction, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        // The frontend's limits come before the engine's refusal of log queries.
        if (!request.TryMaxEntries(limits, limit, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var query = request["query"] ?? "";
        if (LogQLParser.TryParse(query, out var expr, out _) && expr.IsLogQuery)
        {
            await BadRequest(LokiErrors.ErrLogInstantQuery).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        await ExecuteAsync(ctx, request.Tenants, new QueryParams
        {
            Query = query,
            StartNs = at,
            EndNs = at,
            Direction = direction,
            Limit = limit,
            Instant = true,
        }).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(HttpContext ctx, string[] tenants, QueryParams p, bool legacy = false)
    {
        var started = Stopwatch.GetTimestamp();
        var queryLimits = LimitsOf(tenants);
        if (queryLimits.EffectiveParallelism <= 0)
        {
            // max_query_parallelism and tsdb_max_query_parallelism both 0: Loki's frontend refuses every query.
            await Results.Text("querying is disabled, please contact your Loki operator", statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        FrontendResult outcome;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeout.CancelAfter(queryLimits.QueryTimeout);
        try
        {
            if (BeyondLookback(queryLimits, p.EndNs))
            {
                // Wholly before max_query_lookback: Loki answers an empty result of the query's type without reading.
                var expr = LogQLParser.Parse(p.Query ?? "");
                outcome = new FrontendResult(EmptyResult(expr, p.Instant), new GrainLogQuerier(data, tenants), 0);
            }
            else
            {
                outcome = await _frontend.ExecuteAsync(tenants, p, queryLimits, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (ParseException e)
        {
            await BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        catch (QueryException e)
        {
            await BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        catch (TooManyOutstandingRequestsException e)
        {
            await Results.Text(e.Message, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            ctx.Response.StatusCode = 499;
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await Results.Text("context deadline exceeded", statusCode: 504).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (queryLimits.QueryTimeout > TimeSpan.Zero && Stopwatch.GetElapsedTime(started) >= queryLimits.QueryTimeout)
        {
            // The deadline passed before the answer was ready (the timer may not have fired yet): Loki's 504.
            await Results.Text("context deadline exceeded", statusCode: 504).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        var result = outcome.Result;
        var entries = 0L;
        foreach (var s in result.Streams ?? [])
        {
            entries += s.Entries.Count;
        }
        var querier = outcome.Querier;
        var stats = new QueryStats(querier.Stats(), entries, outcome.Splits, querier.Shards, querier.Subqueries, Stopwatch.GetElapsedTime(started).TotalSeconds)
        {
            QueueSeconds = outcome.QueueSeconds,
        };
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        if (legacy && result.ResultType == "streams")
        {
            LokiJson.WriteLegacyStreams(writer, result.Streams ?? [], stats);
        }
        else
        {
            LokiJson.WriteQueryResponse(writer, result, stats, LokiJson.WantsCategorizedLabels(ctx.Request.Headers[LokiJson.EncodingFlagsHeader]), p.Direction);
        }
        await writer.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>labels</c>; <paramref name="legacy"/>: <c>/api/prom/label</c>, answered as <c>{"values":[..]}</c>.</summary>
    public async Task LabelsAsync(HttpContext ctx, bool legacy = false)
    {
        var request = await ReadMetadataRequestAsync(ctx).ConfigureAwait(false);
        if (request.Problem is not null)
        {
            await request.Problem.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var r = request.Request;
        var names = r.BeyondLookback(limits, LokiTime.NowNs(time))
            ? []
            : await MultiTenant.LabelNamesAsync(data, r.Tenants, request.Matchers, r.StartNs, r.EndNs, ctx.RequestAborted).ConfigureAwait(false);
        await (legacy ? Results.Json(new { values = names }) : Results.Json(new { status = "success", data = names })).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    /// <summary><c>label/{name}/values</c>; <paramref name="legacy"/>: <c>/api/prom/label/{name}/values</c>, answered as <c>{"values":[..]}</c>.</summary>
    public async Task LabelValuesAsync(HttpContext ctx, string name, bool legacy = false)
    {
        var request = await ReadMetadataRequestAsync(ctx).ConfigureAwait(false);
        if (request.Problem is not null)
        {
            await request.Problem.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var r = request.Request;
        var values = r.BeyondLookback(limits, LokiTime.NowNs(time))
            ? []
            : await MultiTenant.LabelValuesAsync(data, r.Tenants, name, request.Matchers, r.StartNs, r.EndNs, ctx.RequestAborted).ConfigureAwait(false);
        await (legacy ? Results.Json(new { values }) : Results.Json(new { status = "success", data = values })).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    /// <summary>The labels endpoints' request: tenants, range and limits, and the optional <c>query</c> (validated matchers).</summary>
    private async Task<(ReadRequest Request, List<Orleans.Loki.Grains.Abstractions.MatcherSpec> Matchers, IResult? Problem)> ReadMetadataRequestAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        List<Orleans.Loki.Grains.Abstractions.MatcherSpec> matchers = [];
        _ = request.TryTenants(options, out var problem) && request.TryRange(limits, LokiTime.NowNs(time), out problem) &&
            ReadRequest.TryMatchers(request["query"], out matchers, out problem, validate: true, allowEmpty: true);
        return (request, matchers, problem);
    }

    public async Task SeriesAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        if (!request.TryTenants(options, out var problem) || !request.TryRange(limits, LokiTime.NowNs(time), out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var tenants = request.Tenants;
        // Loki's ParseSeriesQuery: match and match[] together, distinct; one {} alone matches every stream.
        var selectors = request.Values("match").Concat(request.Values("match[]")).Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(s => (string?)s).ToList();
        if (selectors.Count == 1 && selectors[0]!.Replace(" ", "", StringComparison.Ordinal) == "{}")
        {
            selectors.Clear();
        }
        if (selectors.Count == 0)
        {
            selectors.Add(null);
        }
        if (request.BeyondLookback(limits, LokiTime.NowNs(time)))
        {
            selectors.Clear();
        }
        var series = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var selector in selectors)
        {
            if (!ReadRequest.TryMatchers(selector, out var matchers, out problem, validate: false, allowEmpty: true))
            {
                await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
                return;
            }
            foreach (var (tenant, tenantMatchers) in MultiTenant.Select(tenants, matchers))
            {
                foreach (var match in await data.LookupAsync(tenant, tenantMatchers, request.StartNs, request.EndNs, ctx.RequestAborted).ConfigureAwait(false))
                {
                    if (Orleans.Loki.Model.LabelSet.TryParse(match.Labels, out var pairs, out _))
                    {
                        var labels = pairs.ToDictionary(p => p.Key, p => p.Value);
                        if (tenants.Length > 1)
                        {
                            labels[MultiTenant.TenantLabel] = tenant;
                        }
                        series.TryAdd(tenants.Length > 1 ? $"{tenant}\n{match.Labels}" : match.Labels, labels);
                    }
                }
            }
        }
        await Results.Json(new { status = "success", data = series.Values }).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    public async Task FormatQueryAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        var query = request["query"] ?? "";
        if (!LogQLParser.TryParse(query, out var expr, out var error))
        {
            await BadRequest(error.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        await Results.Json(new { status = "success", data = LogQLPrettifier.Prettify(expr) }).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    /// <summary>The limits of a query: a multi-tenant query gets the smallest of its tenants' limits, as Loki.</summary>
    private QueryLimits LimitsOf(string[] tenants) => MultiTenant.Smallest(tenants.Select(limits.Query));

    private static IResult BadRequest(string message) => Results.Text(message, statusCode: 400);

    private static QueryResult EmptyResult(Expr expr, bool instant) => new(
        expr.IsLogQuery ? "streams" : instant ? "vector" : "matrix",
        expr.IsLogQuery ? [] : null, expr.IsLogQuery || instant ? null : [], instant && !expr.IsLogQuery ? [] : null, null,
        new QueryStatistics(0, 0, 0, 0));

    private static long FloorMs(long ns) => ns >= 0 ? ns / 1_000_000 : -((-ns + 999_999) / 1_000_000);

    /// <summary>True when the whole range ends before <c>max_query_lookback</c> allows: Loki answers it empty without reading.</summary>
    private bool BeyondLookback(QueryLimits queryLimits, long endNs) => endNs < queryLimits.LookbackStartNs(LokiTime.NowNs(time));
}
