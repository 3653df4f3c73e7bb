using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Index;

/// <summary><c>/loki/api/v1/index/stats</c>, <c>/index/volume</c> and <c>/index/volume_range</c>, answered from the index.</summary>
internal sealed class IndexApi(GatewayOptions options, ITenantLimits limits, IndexReader index, TimeProvider time)
{
    /// <summary>Loki's default <c>limit</c> of volume queries (series returned per bucket).</summary>
    private const int DefaultVolumeLimit = 100;

    public async Task StatsAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        if (!request.TryTenants(options, out var problem) || !TryRangeQuery(request, out problem) ||
            !ReadRequest.TryMatchers(request["query"], out var matchers, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var stats = await MultiTenantIndex.StatsAsync(index, request.Tenants, matchers, request.StartNs, request.EndNs, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        w.WriteStartObject();
        w.WriteNumber("streams", stats.Streams);
        w.WriteNumber("chunks", stats.Chunks);
        w.WriteNumber("bytes", stats.Bytes);
        w.WriteNumber("entries", stats.Entries);
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>/loki/api/v1/index/shards</c>: how a query's data splits into shards of about <c>targetBytesPerShard</c>.
    /// Queries here are not sharded by stream, so the answer is one shard over the whole fingerprint space with the
    /// selector's index stats; <c>targetBytesPerShard</c> is checked as Loki does (a byte size).
    /// </summary>
    public async Task ShardsAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        if (!request.TryTenants(options, out var problem) || !TryRangeQuery(request, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        // Loki's ParseIndexShardsQuery checks the size before its parse error: missing, zero or unreadable are all
        // "must be a positive value".
        if (request["targetBytesPerShard"] is not { Length: > 0 } target || !IsByteSize(target) || !target.Any(c => c is >= '1' and <= '9'))
        {
            await ReadRequest.BadRequest(LokiErrors.ErrTargetBytesPerShardNotPositive).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        List<MatcherSpec> matchers;
        try
        {
            var expr = Orleans.Loki.LogQL.Syntax.LogQLParser.Parse(request["query"] ?? "");
            var selector = expr is Orleans.Loki.LogQL.Syntax.LogSelectorExpr s ? s : Orleans.Loki.LogQL.Syntax.LogQLParser.ParseLogSelector(SelectorText(expr), validate: false);
            matchers = GrainLogQuerier.ToSpecs(selector.Matchers);
        }
        catch (Orleans.Loki.LogQL.Syntax.ParseException e)
        {
            await ReadRequest.BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var stats = await MultiTenantIndex.StatsAsync(index, request.Tenants, matchers, request.StartNs, request.EndNs, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        w.WriteStartObject();
        w.WritePropertyName("shards");
        w.WriteStartArray();
        w.WriteStartObject();
        w.WritePropertyName("bounds");
        w.WriteStartObject();
        w.WriteNumber("min", 0UL);
        w.WriteNumber("max", ulong.MaxValue);
        w.WriteEndObject();
        w.WritePropertyName("stats");
        w.WriteStartObject();
        w.WriteNumber("streams", stats.Streams);
        w.WriteNumber("chunks", stats.Chunks);
        w.WriteNumber("bytes", stats.Bytes);
        w.WriteNumber("entries", stats.Entries);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WritePropertyName("statistics");
        QueryStats.Empty.Write(w);
        w.WriteNull("chunkGroups");
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The first stream selector of a metric query's text (its matchers are what the shards are planned on).</summary>
    private static string SelectorText(Orleans.Loki.LogQL.Syntax.Expr expr)
    {
        var text = expr.ToString();
        var open = text.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : text.IndexOf('}', open);
        return open < 0 || close < 0 ? text : text[open..(close + 1)];
    }

    private static bool IsByteSize(string text)
    {
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        return i > 0 && text[i..].Trim().ToUpperInvariant() is "" or "B" or "K" or "KB" or "M" or "MB" or "G" or "GB" or "T" or "TB" or "P" or "PB" or "E" or "EB";
    }

    public async Task VolumeAsync(HttpContext ctx, bool range)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        long stepNs = 0;
        // Loki's ParseVolume(Instant|Range)Query: the volume limit (0 is the default), the instant or range query's
        // parameters, the aggregation, then the bounds.
        if (!request.TryTenants(options, out var problem) || !request.TryVolumeLimit(DefaultVolumeLimit, out var limit, out problem) ||
            !(range ? TryRangeQuery(request, out problem) && request.TryStep(out stepNs, out problem) : TryInstantQuery(request, out problem) && request.TryRange(limits, LokiTime.NowNs(time), out problem)) ||
            !TryAggregateBy(request, out var bySeries, out problem) ||
            !TryVolumeMatchers(request, out var volumeRequest, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var bounds = Buckets(request.StartNs, request.EndNs, stepNs);
        volumeRequest = volumeRequest with { AggregateBySeries = bySeries, BucketBounds = bounds, MaxSeries = IndexReader.VolumeMaxSeries };
        var (volumes, maxHit) = await MultiTenantIndex.VolumeAsync(index, request.Tenants, volumeRequest, ctx.RequestAborted).ConfigureAwait(false);
        if (maxHit)
        {
            await ReadRequest.BadRequest(LokiErrors.MaxSeriesLimit(IndexReader.VolumeMaxSeries)).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var result = ToResult(volumes, bounds, request.EndNs - 1, limit, bySeries, range);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        LokiJson.WriteQueryResponse(w, result, QueryStats.Empty);
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Loki's split of a volume range: buckets aligned to multiples of the step, the first starting at the requested
    /// start and the last ending at the requested end; one bucket for an instant volume.
    /// </summary>
    internal static long[] Buckets(long startNs, long endNs, long stepNs)
    {
        if (stepNs <= 0)
        {
            return [startNs, endNs];
        }
        var bounds = new List<long> { startNs };
        for (var b = startNs - (startNs % stepNs) + stepNs; b < endNs; b += stepNs)
        {
            bounds.Add(b);
        }
        bounds.Add(endNs);
        return [.. bounds];
    }

    /// <summary>
    /// Per bucket, the <paramref name="limit"/> largest series (Loki limits each split); a sample at the bucket's end
    /// (one millisecond before the next bucket, the query end for the last). Series ordered by their first value,
    /// largest first, then by name.
    /// </summary>
    internal static QueryResult ToResult(Dictionary<string, long[]> volumes, long[] bounds, long endNs, int limit, bool bySeries, bool range)
    {
        var samples = new Dictionary<string, List<SamplePoint>>(StringComparer.Ordinal);
        var buckets = bounds.Length - 1;
        for (var b = 0; b < buckets; b++)
        {
            // Loki's volume timestamps have millisecond precision. The value sits mid-millisecond because the JSON
            // writer divides nanoseconds as a double, which can land just under a whole millisecond and floor to the one before.
            var ts = MidMillisecond(b == buckets - 1 ? endNs : bounds[b + 1] - 1_000_000);
            var ranked = volumes.Where(v => v.Value[b] > 0)
                .OrderByDescending(v => v.Value[b]).ThenBy(v => v.Key, StringComparer.Ordinal).Take(limit);
            foreach (var (name, values) in ranked)
            {
                if (!samples.TryGetValue(name, out var list))
                {
                    list = [];
                    samples.Add(name, list);
                }
                list.Add(new SamplePoint(ts, values[b]));
            }
        }
        var ordered = samples.OrderByDescending(s => s.Value[0].Value).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
        if (!range)
        {
            var vector = ordered.Select(s => new VectorSample(Metric(s.Key, bySeries), s.Key, s.Value[0].TimestampNs, s.Value[0].Value)).ToList();
            return new QueryResult("vector", null, null, vector, null, new QueryStatistics(0, 0, 0, vector.Count));
        }
        var matrix = ordered.Select(s => new Series(Metric(s.Key, bySeries), s.Key, s.Value)).ToList();
        return new QueryResult("matrix", null, matrix, null, null, new QueryStatistics(0, 0, 0, matrix.Count));
    }

    private static long MidMillisecond(long ns) => ns - (ns % 1_000_000) + 500_000;

    private static KeyValuePair<string, string>[] Metric(string name, bool bySeries) =>
        !bySeries ? [new(name, "")]
        : LabelSet.TryParse(name, out var pairs, out var error) ? pairs
        : throw new InvalidOperationException($"volume series '{name}' does not parse: {error}");

    /// <summary>
    /// Loki's <c>ParseRangeQuery</c>, which the index endpoints reuse: bounds, end before start, limit, direction,
    /// step and interval, then the time-range limits.
    /// </summary>
    private bool TryRangeQuery(ReadRequest request, out IResult? problem) =>
        request.TryBounds(LokiTime.NowNs(time), out problem) && request.TryEndNotBeforeStart(out problem) && request.TryLimit(out _, out problem) &&
        request.TryDirection(Direction.Backward, out _, out problem) && request.TryStep(out _, out problem) && request.TryInterval(out _, out problem) &&
        request.TryTimeRangeLimits(limits, LokiTime.NowNs(time), out problem);

    /// <summary>Loki's <c>ParseInstantQuery</c> (volume): limit, time, direction.</summary>
    private bool TryInstantQuery(ReadRequest request, out IResult? problem) =>
        request.TryLimit(out _, out problem) && request.TryTime(LokiTime.NowNs(time), out _, out problem) &&
        request.TryDirection(Direction.Backward, out _, out problem);

    private static bool TryAggregateBy(ReadRequest request, out bool bySeries, out IResult? problem)
    {
        problem = null;
        bySeries = true;
        switch (request["aggregateBy"])
        {
            case null or "" or "series":
                return true;
            case "labels":
                bySeries = false;
                return true;
            default:
                problem = ReadRequest.BadRequest(LokiErrors.InvalidAggregationOption);
                return false;
        }
    }

    /// <summary>
    /// Matchers and the labels to aggregate into, as Loki prepares them: the matched label names, or the target labels
    /// (each target not already matched gets a <c>=~".+"</c> matcher); <c>{}</c> matches and keeps every label.
    /// </summary>
    private static bool TryVolumeMatchers(ReadRequest request, out VolumeRequest volume, out IResult? problem)
    {
        problem = null;
        var query = request["query"]?.Trim() ?? "";
        var targets = (request["targetLabels"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var matchers = new List<MatcherSpec>();
        var includeAll = query == "{}";
        if (!includeAll && !ReadRequest.TryMatchers(query, out matchers, out problem))
        {
            volume = null!;
            return false;
        }
        List<string> labelsToMatch;
        if (targets.Length > 0)
        {
            labelsToMatch = [.. targets.Distinct(StringComparer.Ordinal)];
            foreach (var target in labelsToMatch)
            {
                if (!matchers.Any(m => m.Name == target))
                {
                    matchers.Add(new MatcherSpec(target, "=~", ".+"));
                }
            }
            includeAll = false;
        }
        else
        {
            labelsToMatch = [.. matchers.Select(m => m.Name).Distinct(StringComparer.Ordinal)];
        }
        volume = new VolumeRequest(matchers, labelsToMatch, targets.Length > 0, true, includeAll, [], IndexReader.VolumeMaxSeries);
        return true;
    }
}
