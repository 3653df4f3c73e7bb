using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Index;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Detected;

/// <summary><c>/loki/api/v1/detected_labels</c>, <c>/detected_fields</c> and <c>/detected_field/{name}/values</c>.</summary>
internal sealed class DetectedApi(GatewayOptions options, ITenantLimits limits, IndexReader index, GrainDataSource data, TimeProvider time)
{
    /// <summary>Loki's defaults: 100 lines examined, 1000 fields (or values) returned.</summary>
    private const int DefaultLineLimit = 100;
    private const int DefaultFieldLimit = 1000;

    public async Task DetectedLabelsAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        List<Orleans.Loki.Grains.Abstractions.MatcherSpec> matchers = [];
        // No query, or the match-all selector {} (what a label browser sends before anything is picked): every stream.
        var query = request["query"]?.Trim();
        if (!request.TryTenants(options, out var problem) || !request.TryRange(limits, LokiTime.NowNs(time), out problem) ||
            (!string.IsNullOrEmpty(query) && query != "{}" && !ReadRequest.TryMatchers(query, out matchers, out problem)))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var sets = await MultiTenantIndex.LabelValueSetsAsync(index, request.Tenants, matchers, request.StartNs, request.EndNs, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        w.WriteStartObject();
        w.WritePropertyName("detectedLabels");
        w.WriteStartArray();
        foreach (var (label, values) in sets)
        {
            if (DetectedLabels.Keep(label, values))
            {
                w.WriteStartObject();
                w.WriteString("label", label);
                w.WriteNumber("cardinality", values.Count);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Fields (or, with <paramref name="name"/>, one field's values) of the newest <c>line_limit</c> lines.</summary>
    public async Task DetectedFieldsAsync(HttpContext ctx, string? name)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        if (!request.TryTenants(options, out var problem) || !request.TryRange(limits, LokiTime.NowNs(time), out problem) ||
            !request.TryPositiveInt("line_limit", DefaultLineLimit, out var lineLimit, out problem) ||
            !request.TryPositiveInt(request["limit"] is { Length: > 0 } ? "limit" : "field_limit", DefaultFieldLimit, out var limit, out problem) ||
            !request.TryStep(out _, out problem) || !TrySelector(request["query"], out var selector, out problem) ||
            !request.TryMaxEntries(limits, lineLimit, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var streams = await SelectAsync(request, selector, lineLimit, ctx).ConfigureAwait(false);
        if (streams is null)
        {
            return;
        }
        var detector = new FieldDetector(limit);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        w.WriteStartObject();
        if (name is not null)
        {
            var values = detector.Values(streams, name, limit);
            if (values.Count > 0)
            {
                w.WritePropertyName("values");
                JsonSerializer.Serialize(w, values);
                w.WriteNumber("limit", limit);
            }
        }
        else
        {
            foreach (var stream in streams)
            {
                detector.Add(stream);
            }
            var fields = detector.Result();
            if (fields.Count > 0)
            {
                WriteFields(w, fields);
                w.WriteNumber("limit", limit);
            }
        }
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The newest <paramref name="lineLimit"/> lines of the selector, through the LogQL engine; null when an error was answered.</summary>
    private async Task<List<ResultStream>?> SelectAsync(ReadRequest request, LogSelectorExpr selector, int lineLimit, HttpContext ctx)
    {
        var engine = new LogQLEngine(new GrainLogQuerier(data, request.Tenants), new EngineOptions { MaxQuerySeries = request.Limits(limits).MaxQuerySeries });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeout.CancelAfter(request.Limits(limits).QueryTimeout);
        try
        {
            var result = await engine.ExecuteAsync(new QueryParams
            {
                Expr = selector,
                StartNs = request.StartNs,
                EndNs = request.EndNs,
                StepNs = 1_000_000_000,
                Direction = Direction.Backward,
                Limit = lineLimit,
            }, timeout.Token).ConfigureAwait(false);
            var streams = result.Streams ?? [];
            streams.Sort(static (a, b) => string.CompareOrdinal(a.LabelsString, b.LabelsString));
            return streams;
        }
        catch (QueryException e)
        {
            await ReadRequest.BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            ctx.Response.StatusCode = 499;
            return null;
        }
        catch (OperationCanceledException)
        {
            await Results.Text(LokiErrors.ContextDeadlineExceeded, statusCode: 504).ExecuteAsync(ctx).ConfigureAwait(false);
            return null;
        }
    }

    internal static bool TrySelector(string? query, out LogSelectorExpr selector, out IResult? problem)
    {
        problem = null;
        try
        {
            selector = LogQLParser.ParseLogSelector(query ?? "", validate: true);
            return true;
        }
        catch (ParseException e)
        {
            selector = null!;
            problem = ReadRequest.BadRequest(e.Message);
            return false;
        }
    }

    private static void WriteFields(Utf8JsonWriter w, IReadOnlyList<DetectedField> fields)
    {
        w.WritePropertyName("fields");
        w.WriteStartArray();
        foreach (var field in fields)
        {
            w.WriteStartObject();
            w.WriteString("label", field.Label);
            w.WriteString("type", field.Type);
            w.WriteNumber("cardinality", field.Cardinality);
            w.WritePropertyName("parsers");
            if (field.Parsers is null)
            {
                w.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(w, field.Parsers);
            }
            if (field.JsonPath is { Length: > 0 })
            {
                w.WritePropertyName("jsonPath");
                JsonSerializer.Serialize(w, field.JsonPath);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
