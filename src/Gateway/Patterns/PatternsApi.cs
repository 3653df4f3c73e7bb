using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Detected;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Patterns;

/// <summary>
/// <c>/loki/api/v1/patterns</c>: Drain patterns of the newest lines of the range (at most <see cref="MaxLines"/>),
/// computed when asked rather than by a pattern ingester.
/// </summary>
internal sealed class PatternsApi(GatewayOptions options, ITenantLimits limits, GrainDataSource data, TimeProvider time)
{
    /// <summary>Lines clustered per request: bounds memory and time; counts cover only these lines.</summary>
    public const int MaxLines = 20_000;

    /// <summary>Loki's pattern sample resolution: no finer step than 10 s.</summary>
    private const long MinStepNs = 10_000_000_000L;

    public async Task PatternsAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        // Loki's ParsePatternsQuery: bounds and step (no end-before-start check), then the time-range limits.
        if (!request.TryTenants(options, out var problem) || !request.TryBounds(LokiTime.NowNs(time), out problem) ||
            !request.TryStep(out var stepNs, out problem) || !request.TryTimeRangeLimits(limits, LokiTime.NowNs(time), out problem) || !DetectedApi.TrySelector(request["query"], out var selector, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        stepNs = Math.Max(stepNs, MinStepNs);
        var engine = new LogQLEngine(new GrainLogQuerier(data, request.Tenants), new EngineOptions { MaxQuerySeries = request.Limits(limits).MaxQuerySeries });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeout.CancelAfter(request.Limits(limits).QueryTimeout);
        QueryResult lines;
        try
        {
            lines = await engine.ExecuteAsync(new QueryParams
            {
                Expr = selector,
                StartNs = request.StartNs,
                EndNs = request.EndNs,
                StepNs = stepNs,
                Direction = Direction.Backward,
                Limit = MaxLines,
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (QueryException e)
        {
            await ReadRequest.BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            ctx.Response.StatusCode = 499;
            return;
        }
        catch (OperationCanceledException)
        {
            await Results.Text(LokiErrors.ContextDeadlineExceeded, statusCode: 504).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        var extractor = new PatternExtractor(new DrainOptions());
        foreach (var stream in lines.Streams ?? [])
        {
            foreach (var entry in stream.Entries)
            {
                extractor.Add(entry);
            }
        }
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WritePropertyName("data");
        w.WriteStartArray();
        foreach (var series in extractor.Result(stepNs))
        {
            w.WriteStartObject();
            w.WriteString("pattern", series.Pattern);
            w.WriteString("level", series.Level);
            w.WritePropertyName("samples");
            w.WriteStartArray();
            foreach (var (ts, count) in series.Samples)
            {
                w.WriteStartArray();
                w.WriteNumberValue(ts / 1_000_000_000L);
                w.WriteNumberValue(count);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }
}
