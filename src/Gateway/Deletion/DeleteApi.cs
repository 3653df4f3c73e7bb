using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Compactor;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Deletion;

/// <summary>
/// Loki's log deletion API: <c>POST|PUT|GET|DELETE /loki/api/v1/delete</c> and
/// <c>GET /loki/api/v1/cache/generation_numbers</c>, with Loki's parameters, texts and status codes. Mapped only when
/// <c>compactor.retention_enabled</c> is set (Loki answers 404 otherwise). A request is stored in grain storage before
/// the 204, and queries read the tenant's requests on every call, so deleted lines are hidden from the next query on.
/// </summary>
public static class DeleteApi
{
    private static string Text(string message) => message + "\n";

    public static void MapLokiDeleteApi(this WebApplication app, GatewayOptions gateway, CompactorOptions compactor)
    {
        app.MapMethods("/loki/api/v1/delete", ["POST", "PUT"], (HttpContext ctx, IGrainFactory grains) => AddAsync(ctx, grains, gateway, compactor));
        app.MapGet("/loki/api/v1/delete", (HttpContext ctx, IGrainFactory grains) => ListAsync(ctx, grains, gateway));
        app.MapDelete("/loki/api/v1/delete", (HttpContext ctx, IGrainFactory grains) => CancelAsync(ctx, grains, gateway, compactor));
        app.MapGet("/loki/api/v1/cache/generation_numbers", (HttpContext ctx, IGrainFactory grains) => GenerationAsync(ctx, grains, gateway));
    }

    private static TimeProvider Time(HttpContext ctx) => ctx.RequestServices.GetKeyedService<TimeProvider>(CompactorServices.TimeKey)
        ?? ctx.RequestServices.GetRequiredService<TimeProvider>();

    private static long NowNs(HttpContext ctx) => Time(ctx).GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

    /// <summary>Tenant resolution, then Loki's per-tenant check: <c>deletion_mode: disabled</c> answers 403.</summary>
    private static bool TryTenant(HttpContext ctx, GatewayOptions gateway, out string tenant, out IResult? problem)
    {
        problem = null;
        if (!TenantResolver.TryResolve(ctx, gateway.AuthEnabled, out tenant, out var error))
        {
            problem = Results.Text(Text(error!.Message), "text/plain; charset=utf-8", statusCode: error.StatusCode);
            return false;
        }
        var limits = ctx.RequestServices.GetService<ICompactorLimitsSource>()?.Compactor(tenant) ?? gateway.Compactor;
        if (limits.DeletionMode == CompactorLimits.Disabled)
        {
            problem = Results.Text(Text(LokiErrors.DeletionNotAvailable), "text/plain; charset=utf-8", statusCode: 403);
            return false;
        }
        return true;
    }

    private static IResult BadRequest(string message) => Results.Text(Text(message), "text/plain; charset=utf-8", statusCode: 400);

    private static async Task<IResult> AddAsync(HttpContext ctx, IGrainFactory grains, GatewayOptions gateway, CompactorOptions compactor)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            return problem!;
        }
        var q = ctx.Request.Query;
        var query = q["query"].ToString();
        if (query.Length == 0)
        {
            return BadRequest(LokiErrors.DeleteQueryNotSet);
        }
        LogSelectorExpr selector;
        try
        {
            if (LogQLParser.Parse(query) is not LogSelectorExpr s)
            {
                return BadRequest(LokiErrors.DeleteInvalidQuery);
            }
            selector = s;
        }
        catch (ParseException)
        {
            return BadRequest(LokiErrors.DeleteInvalidQuery);
        }
        var startText = q["start"].ToString();
        if (startText.Length == 0)
        {
            return BadRequest(LokiErrors.DeleteStartNotSet);
        }
        if (!TryParseTime(startText, out var startNs))
        {
            return BadRequest(LokiErrors.DeleteInvalidStart);
        }
        var nowNs = NowNs(ctx);
        var endNs = nowNs;
        var endText = q["end"].ToString();
        if (endText.Length > 0)
        {
            if (!TryParseTime(endText, out endNs))
            {
                return BadRequest(LokiErrors.DeleteInvalidEnd);
            }
            if (endNs > nowNs)
            {
                return BadRequest(LokiErrors.DeleteInFuture);
            }
        }
        if (startNs >= endNs)
        {
            return BadRequest(LokiErrors.DeleteStartNotBeforeEnd);
        }
        var shards = 1;
        if (selector.HasFilter)
        {
            var interval = compactor.DeleteMaxInterval.Ticks * 100;
            var maxText = q["max_interval"].ToString();
            if (maxText.Length > 0)
            {
                if (!GoDuration.TryParseWithDays(maxText, out var given) || given < 1_000_000_000)
                {
                    return BadRequest(LokiErrors.DeleteInvalidMaxInterval);
                }
                if (interval > 0 && given > interval)
                {
                    return BadRequest(LokiErrors.DeleteMaxIntervalOverLimit(GoDuration.Format(compactor.DeleteMaxInterval)));
                }
                if (given > endNs - startNs)
                {
                    return BadRequest(LokiErrors.DeleteMaxIntervalOverRange(GoDuration.Format(TimeSpan.FromTicks((endNs - startNs) / 100))));
                }
                interval = given;
            }
            if (interval > 0)
            {
                shards = (int)Math.Min(int.MaxValue, Math.Max(1, (endNs - startNs + interval - 1) / interval));
            }
        }
        var id = RequestId(tenant, nowNs, query);
        await GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant).AddAsync(new DeleteRequest(id, startNs, endNs, query, nowNs, shards, 0));
        ctx.Response.Headers["X-Delete-Request-ID"] = id;
        return Results.NoContent();
    }

    private static async Task<IResult> ListAsync(HttpContext ctx, IGrainFactory grains, GatewayOptions gateway)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            return problem!;
        }
        var q = ctx.Request.Query;
        long? from = null, to = null;
        if (q["start"].ToString() is { Length: > 0 } s && q["end"].ToString() is { Length: > 0 } e)
        {
            if (!TryParseTime(s, out var f))
            {
                return BadRequest(LokiErrors.DeleteInvalidStart);
            }
            if (!TryParseTime(e, out var t))
            {
                return BadRequest(LokiErrors.DeleteInvalidEnd);
            }
            (from, to) = (f, t);
        }
        var requests = await GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant).ListAsync();
        var json = new StringBuilder("[");
        foreach (var r in requests.OrderBy(r => r.CreatedNs))
        {
            if (from is { } lo && to is { } hi && (r.EndNs < lo || r.StartNs > hi))
            {
                continue;
            }
            if (json.Length > 1)
            {
                json.Append(',');
            }
            json.Append("{\"request_id\":").Append(JsonSerializer.Serialize(r.RequestId))
                .Append(",\"start_time\":").Append(Seconds(r.StartNs))
                .Append(",\"end_time\":").Append(Seconds(r.EndNs))
                .Append(",\"query\":").Append(JsonSerializer.Serialize(r.Query))
                .Append(",\"status\":").Append(JsonSerializer.Serialize(r.Status))
                .Append(",\"created_at\":").Append(Seconds(r.CreatedNs))
                .Append(",\"user_id\":\"\"}");
        }
        json.Append(']');
        return Results.Text(json.ToString(), "application/json", statusCode: 200);
    }

    private static async Task<IResult> CancelAsync(HttpContext ctx, IGrainFactory grains, GatewayOptions gateway, CompactorOptions compactor)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            return problem!;
        }
        var id = ctx.Request.Query["request_id"].ToString();
        var force = ctx.Request.Query["force"].ToString() == "true";
        var outcome = await GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant).CancelAsync(id, force, NowNs(ctx), compactor.DeleteRequestCancelPeriod.Ticks * 100);
        return outcome switch
        {
            CancelOutcome.Cancelled => Results.NoContent(),
            CancelOutcome.NotFound => Results.Text(Text(LokiErrors.DeleteRequestNotFound), "text/plain; charset=utf-8", statusCode: 404),
            CancelOutcome.AlreadyProcessed => BadRequest(LokiErrors.DeleteAlreadyProcessed),
            _ => BadRequest(LokiErrors.DeleteCancelPastDeadline(GoDuration.Format(compactor.DeleteRequestCancelPeriod))),
        };
    }

    private static async Task<IResult> GenerationAsync(HttpContext ctx, IGrainFactory grains, GatewayOptions gateway)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            return problem!;
        }
        var generation = await GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant).GenerationAsync();
        var text = generation == 0 ? "" : generation.ToString(CultureInfo.InvariantCulture);
        return Results.Text(JsonSerializer.Serialize(text), "application/json", statusCode: 200);
    }

    /// <summary>RFC3339, or unix seconds written with exactly 10 characters (a fraction allowed); millisecond precision.</summary>
    internal static bool TryParseTime(string text, out long ns)
    {
        ns = 0;
        if (text.Length == 10 && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            ns = (long)Math.Round(seconds * 1000) * 1_000_000;
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && text.Contains('T'))
        {
            ns = t.ToUnixTimeMilliseconds() * 1_000_000;
            return true;
        }
        return false;
    }

    private static string Seconds(long ns) => (Math.Floor(ns / 1e6) / 1000).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Loki's id: FNV-32 of tenant, creation time (ns) and query, as 8 lowercase hex digits.</summary>
    internal static string RequestId(string tenant, long createdNs, string query)
    {
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(tenant + createdNs.ToString(CultureInfo.InvariantCulture) + query))
        {
            hash *= 16777619;
            hash ^= b;
        }
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
