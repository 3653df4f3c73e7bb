using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Loki.Gateway.Index;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Ops;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// The limits in force for the request's tenant, as Loki publishes them: <c>GET /config/tenant/v1/limits</c> (YAML)
/// and <c>GET /loki/api/v1/drilldown-limits</c> (JSON <c>{"limits":{..},"pattern_ingester_enabled":..,"version":..}</c>,
/// read by Grafana's Logs Drilldown). Only Loki's published fields are listed (its <c>tenant_limits_allow_publish</c>
/// default), those this server has; durations in Prometheus notation and byte sizes as Loki prints them.
/// </summary>
public static class TenantLimitsApi
{
    public static IEndpointRouteBuilder MapTenantLimitsApi(this IEndpointRouteBuilder app, BuildInfoResponse buildInfo)
    {
        app.MapGet("/config/tenant/v1/limits", (HttpContext ctx, GatewayOptions options, ITenantLimits limits) => WriteAsync(ctx, options, limits, null));
        app.MapGet("/loki/api/v1/drilldown-limits", (HttpContext ctx, GatewayOptions options, ITenantLimits limits) => WriteAsync(ctx, options, limits, buildInfo));
        return app;
    }

    private static async Task WriteAsync(HttpContext ctx, GatewayOptions options, ITenantLimits limits, BuildInfoResponse? drilldown)
    {
        if (!TenantResolver.TryResolve(ctx, options.AuthEnabled, out var tenant, out var error))
        {
            // Loki answers a missing or invalid org id here with 401.
            await Results.Text(error!.Message, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var fields = Published(limits, tenant);
        if (drilldown is null)
        {
            await Results.Text(ToYaml(fields), "text/plain; charset=utf-8").ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter.AsStream());
        w.WriteStartObject();
        w.WritePropertyName("limits");
        w.WriteStartObject();
        foreach (var (name, value) in fields)
        {
            w.WritePropertyName(name);
            JsonSerializer.Serialize(w, value);
        }
        w.WriteEndObject();
        w.WriteBoolean("pattern_ingester_enabled", true);
        w.WriteString("version", string.IsNullOrEmpty(drilldown.Version) ? "unknown" : drilldown.Version);
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The published fields in Loki's (alphabetical) order.</summary>
    internal static SortedDictionary<string, object> Published(ITenantLimits limits, string tenant)
    {
        var v = limits.Validation(tenant);
        var q = limits.Query(tenant);
        return new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["discover_log_levels"] = v.DiscoverLogLevels,
            ["discover_service_name"] = v.DiscoverServiceName.ToArray(),
            ["max_entries_limit_per_query"] = q.MaxEntriesLimitPerQuery,
            ["max_line_size_truncate"] = v.MaxLineSizeTruncate,
            ["max_query_bytes_read"] = "0B",
            ["max_query_length"] = Prometheus(q.MaxQueryLength),
            ["max_query_lookback"] = Prometheus(q.MaxQueryLookback),
            ["max_query_range"] = "0s",
            ["max_query_series"] = q.MaxQuerySeries,
            ["metric_aggregation_enabled"] = false,
            ["pattern_persistence_enabled"] = false,
            ["query_timeout"] = Prometheus(q.QueryTimeout),
            ["volume_enabled"] = true,
            ["volume_max_series"] = IndexReader.VolumeMaxSeries,
        };
    }

    private static string Prometheus(TimeSpan t) => GoDuration.FormatPrometheus(t.Ticks * 100);

    private static string ToYaml(SortedDictionary<string, object> fields)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            sb.Append(name).Append(':');
            switch (value)
            {
                case string[] list when list.Length == 0:
                    sb.Append(" []\n");
                    break;
                case string[] list:
                    sb.Append('\n');
                    foreach (var item in list)
                    {
                        sb.Append("    - ").Append(item).Append('\n');
                    }
                    break;
                case bool b:
                    sb.Append(' ').Append(b ? "true" : "false").Append('\n');
                    break;
                case int i:
                    sb.Append(' ').Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    break;
                default:
                    sb.Append(' ').Append(value).Append('\n');
                    break;
            }
        }
        return sb.ToString();
    }
}
