using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.Gateway.Tenancy;
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

    private const int MaxPoints = 11_000;
    private const long HourNs = 3_600_000_000_000L;

    /// <summary><c>query_range</c>; <paramref name="legacy"/>: <c>/api/prom/query</c> (Loki's legacy log shape and its <c>regexp</c> parameter).</summary>
    public async Task QueryRangeAsync(HttpContext ctx, bool legacy = false)
    {
        var form = await ReadParamsAsync(ctx).ConfigureAwait(false);
        if (!TryTenants(ctx, out var tenants, out var problem) ||
            !TryRange(LimitsOf(tenants), form, out var startNs, out var endNs, out problem) ||
            !TryLimitAndDirection(LimitsOf(tenants), form, out var limit, out var direction, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        long stepNs = LokiTime.DefaultStepNs(startNs, endNs);
        if (form.TryGetValue("step", out var stepText) && !string.IsNullOrEmpty(stepText))
        {
            if (!LokiTime.TryParseSecondsOrDuration(stepText!, out stepNs))
            {
                await BadRequest($"invalid parameter \"step\": cannot parse \"{stepText}\" to a valid duration").ExecuteAsync(ctx).ConfigureAwait(false);
                return;
            }
        }
        if (stepNs <= 0)
        {
            await BadRequest("zero or negative query resolution step widths are not accepted. Try a positive integer").ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if ((endNs - startNs) / stepNs > MaxPoints)
        {
            await BadRequest("exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter").ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var query = form.GetValueOrDefault("query") ?? "";
        if (legacy && form.GetValueOrDefault("regexp") is { Length: > 0 } regexp)
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
        long intervalNs = 0;
        if (form.TryGetValue("interval", out var intervalText) && !string.IsNullOrEmpty(intervalText) &&
            !LokiTime.TryParseSecondsOrDuration(intervalText!, out intervalNs))
        {
            await BadRequest($"invalid parameter \"interval\": cannot parse \"{intervalText}\" to a valid duration").ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        await ExecuteAsync(ctx, tenants, new QueryParams
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
        var form = await ReadParamsAsync(ctx).ConfigureAwait(false);
        if (!TryTenants(ctx, out var tenants, out var problem) ||
            !TryLimitAndDirection(LimitsOf(tenants), form, out var limit, out var direction, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (!LokiTime.TryParseTimestamp(form.GetValueOrDefault("time"), LokiTime.NowNs(time), out var at))
        {
            await BadRequest($"invalid parameter \"time\": cannot parse \"{form.GetValueOrDefault("time")}\" to a valid timestamp").ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var query = form.GetValueOrDefault("query") ?? "";
        if (LogQLParser.TryParse(query, out var expr, out _) && expr.IsLogQuery)
        {
            await BadRequest("log queries are not supported as an instant query type, please change your query to a range query type")
                .ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        await ExecuteAsync(ctx, tenants, new QueryParams
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
        var form = await ReadParamsAsync(ctx).ConfigureAwait(false);
        if (!TryTenants(ctx, out var tenants, out var problem) || !TryMetadataRange(LimitsOf(tenants), form, out var startNs, out var endNs, out problem) ||
            !TryMatchers(form.GetValueOrDefault("query"), out var matchers, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var names = BeyondLookback(LimitsOf(tenants), endNs - 1)
            ? []
            : await MultiTenant.LabelNamesAsync(data, tenants, matchers, startNs, endNs, ctx.RequestAborted).ConfigureAwait(false);
        await (legacy ? Results.Json(new { values = names }) : Results.Json(new { status = "success", data = names })).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    /// <summary><c>label/{name}/values</c>; <paramref name="legacy"/>: <c>/api/prom/label/{name}/values</c>, answered as <c>{"values":[..]}</c>.</summary>
    public async Task LabelValuesAsync(HttpContext ctx, string name, bool legacy = false)
    {
        var form = await ReadParamsAsync(ctx).ConfigureAwait(false);
        if (!TryTenants(ctx, out var tenants, out var problem) || !TryMetadataRange(LimitsOf(tenants), form, out var startNs, out var endNs, out problem) ||
            !TryMatchers(form.GetValueOrDefault("query"), out var matchers, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var values = BeyondLookback(LimitsOf(tenants), endNs - 1)
            ? []
            : await MultiTenant.LabelValuesAsync(data, tenants, name, matchers, startNs, endNs, ctx.RequestAborted).ConfigureAwait(false);
        await (legacy ? Results.Json(new { values }) : Results.Json(new { status = "success", data = values })).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    public async Task SeriesAsync(HttpContext ctx)
    {
        var form = await ReadParamsAsync(ctx).ConfigureAwait(false);
        if (!TryTenants(ctx, out var tenants, out var problem) || !TryMetadataRange(LimitsOf(tenants), form, out var startNs, out var endNs, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var selectors = ctx.Request.Query["match[]"].Concat(ctx.Request.HasFormContentType ? ctx.Request.Form["match[]"] : default).Where(s => !string.IsNullOrEmpty(s)).ToList();
        if (selectors.Count == 0)
        {
            selectors.Add(null);
        }
        if (BeyondLookback(LimitsOf(tenants), endNs - 1))
        {
            selectors.Clear();
        }
        var series = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var selector in selectors)
        {
            if (!TryMatchers(selector, out var matchers, out problem))
            {
                await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
                return;
            }
            foreach (var (tenant, tenantMatchers) in MultiTenant.Select(tenants, matchers))
            {
                foreach (var match in await data.LookupAsync(tenant, tenantMatchers, startNs, endNs, ctx.RequestAborted).ConfigureAwait(false))
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
        var form = await ReadParamsAsync(ctx).ConfigureAwait(false);
        var query = form.GetValueOrDefault("query") ?? "";
        if (!LogQLParser.TryParse(query, out var expr, out var error))
        {
            await BadRequest(error.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        await Results.Json(new { status = "success", data = LogQLPrettifier.Prettify(expr) }).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    private bool TryTenants(HttpContext ctx, out string[] tenants, out IResult? problem)
    {
        problem = null;
        if (TenantResolver.TryResolveMany(ctx, options.AuthEnabled, out tenants, out var error))
        {
            return true;
        }
        problem = Results.Text(error!.Message, statusCode: error.StatusCode);
        return false;
    }

    /// <summary>The limits of a query: a multi-tenant query gets the smallest of its tenants' limits, as Loki.</summary>
    private QueryLimits LimitsOf(string[] tenants) => MultiTenant.Smallest(tenants.Select(limits.Query));

    private bool TryRange(QueryLimits queryLimits, Dictionary<string, string?> form, out long startNs, out long endNs, out IResult? problem)
    {
        problem = null;
        var now = LokiTime.NowNs(time);
        startNs = 0;
        if (!LokiTime.TryParseTimestamp(form.GetValueOrDefault("end"), now, out endNs))
        {
            problem = BadRequest($"invalid parameter \"end\": cannot parse \"{form.GetValueOrDefault("end")}\" to a valid timestamp");
            return false;
        }
        if (!LokiTime.TryParseTimestamp(form.GetValueOrDefault("start"), endNs - HourNs, out startNs))
        {
            problem = BadRequest($"invalid parameter \"start\": cannot parse \"{form.GetValueOrDefault("start")}\" to a valid timestamp");
            return false;
        }
        if (endNs < startNs)
        {
            problem = BadRequest("end timestamp must not be before or equal to start time");
            return false;
        }
        // As Loki's frontend: the range is first cut to max_query_lookback, then checked against max_query_length
        // (0 disables either); the length is measured in whole milliseconds.
        var lookbackStart = queryLimits.LookbackStartNs(now);
        if (startNs < lookbackStart)
        {
            startNs = Math.Min(lookbackStart, endNs);
        }
        var length = TimeSpan.FromMilliseconds(FloorMs(endNs) - FloorMs(startNs));
        if (queryLimits.MaxQueryLength > TimeSpan.Zero && length > queryLimits.MaxQueryLength)
        {
            problem = BadRequest(QueryTooLong(length, queryLimits.MaxQueryLength));
            return false;
        }
        return true;
    }

    private bool TryMetadataRange(QueryLimits queryLimits, Dictionary<string, string?> form, out long startNs, out long endNs, out IResult? problem)
    {
        if (!TryRange(queryLimits, form, out startNs, out endNs, out problem))
        {
            return false;
        }
        // Metadata endpoints treat end as inclusive.
        endNs++;
        return true;
    }

    private static bool TryLimitAndDirection(QueryLimits queryLimits, Dictionary<string, string?> form, out int limit, out Direction direction, out IResult? problem)
    {
        problem = null;
        limit = 100;
        direction = Direction.Backward;
        if (form.GetValueOrDefault("limit") is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit <= 0)
            {
                problem = BadRequest("limit must be a positive value");
                return false;
            }
        }
        if (queryLimits.MaxEntriesLimitPerQuery > 0 && limit > queryLimits.MaxEntriesLimitPerQuery)
        {
            problem = BadRequest($"max entries limit per query exceeded, limit > max_entries_limit_per_query ({limit} > {queryLimits.MaxEntriesLimitPerQuery})");
            return false;
        }
        switch (form.GetValueOrDefault("direction")?.ToLowerInvariant())
        {
            case null or "" or "backward":
                break;
            case "forward":
                direction = Direction.Forward;
                break;
            default:
                problem = BadRequest($"invalid parameter \"direction\": invalid direction '{form.GetValueOrDefault("direction")}'");
                return false;
        }
        return true;
    }

    private static bool TryMatchers(string? selector, out List<Orleans.Loki.Grains.Abstractions.MatcherSpec> matchers, out IResult? problem)
    {
        problem = null;
        matchers = [];
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }
        try
        {
            matchers = GrainLogQuerier.ToSpecs(LogQLParser.ParseLogSelector(selector, validate: false).Matchers);
            return true;
        }
        catch (ParseException e)
        {
            problem = BadRequest(e.Message);
            return false;
        }
    }

    private static IResult BadRequest(string message) => Results.Text(message, statusCode: 400);

    private static string Go(TimeSpan t) => GoDuration.Format(t.Ticks * 100);

    /// <summary>Loki's text: the length as a Go duration, the limit as a Prometheus duration (<c>30d1h</c>).</summary>
    internal static string QueryTooLong(TimeSpan length, TimeSpan limit) =>
        $"the query time range exceeds the limit (query length: {Go(length)}, limit: {GoDuration.FormatPrometheus(limit.Ticks * 100)})";

    private static QueryResult EmptyResult(Expr expr, bool instant) => new(
        expr.IsLogQuery ? "streams" : instant ? "vector" : "matrix",
        expr.IsLogQuery ? [] : null, expr.IsLogQuery || instant ? null : [], instant && !expr.IsLogQuery ? [] : null, null,
        new QueryStatistics(0, 0, 0, 0));

    private static long FloorMs(long ns) => ns >= 0 ? ns / 1_000_000 : -((-ns + 999_999) / 1_000_000);

    /// <summary>True when the whole range ends before <c>max_query_lookback</c> allows: Loki answers it empty without reading.</summary>
    private bool BeyondLookback(QueryLimits queryLimits, long endNs) => endNs < queryLimits.LookbackStartNs(LokiTime.NowNs(time));

    private static async Task<Dictionary<string, string?>> ReadParamsAsync(HttpContext ctx)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query)
        {
            result[k] = v.ToString();
        }
        if (ctx.Request.HasFormContentType)
        {
            var form = await FormBody.ReadAsync(ctx).ConfigureAwait(false);
            foreach (var (k, v) in form)
            {
                result[k] = v.ToString();
            }
        }
        return result;
    }
}
