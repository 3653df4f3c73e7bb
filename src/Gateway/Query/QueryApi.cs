using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orleans.Loki.Gateway.Query;

/// <summary>Loki's read endpoints (GET and POST form).</summary>
public static class QueryApi
{
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        MapBoth(app, "/loki/api/v1/query_range", (HttpContext ctx, QueryService q) => q.QueryRangeAsync(ctx));
        MapBoth(app, "/loki/api/v1/query", (HttpContext ctx, QueryService q) => q.InstantQueryAsync(ctx));
        MapBoth(app, "/loki/api/v1/labels", (HttpContext ctx, QueryService q) => q.LabelsAsync(ctx));
        MapBoth(app, "/loki/api/v1/label", (HttpContext ctx, QueryService q) => q.LabelsAsync(ctx));
        MapBoth(app, "/loki/api/v1/label/{name}/values", (HttpContext ctx, string name, QueryService q) => q.LabelValuesAsync(ctx, name));
        MapBoth(app, "/loki/api/v1/series", (HttpContext ctx, QueryService q) => q.SeriesAsync(ctx));
        MapBoth(app, "/loki/api/v1/format_query", (HttpContext ctx, QueryService q) => q.FormatQueryAsync(ctx));

        // Loki's legacy paths (older promtail, Fluent Bit and dashboards): the same handlers, the legacy shapes.
        MapBoth(app, "/api/prom/query", (HttpContext ctx, QueryService q) => q.QueryRangeAsync(ctx, legacy: true));
        MapBoth(app, "/api/prom/label", (HttpContext ctx, QueryService q) => q.LabelsAsync(ctx, legacy: true));
        MapBoth(app, "/api/prom/label/{name}/values", (HttpContext ctx, string name, QueryService q) => q.LabelValuesAsync(ctx, name, legacy: true));
        MapBoth(app, "/api/prom/series", (HttpContext ctx, QueryService q) => q.SeriesAsync(ctx));
        return app;
    }

    private static void MapBoth(IEndpointRouteBuilder app, string pattern, Delegate handler)
    {
        app.MapGet(pattern, handler);
        app.MapPost(pattern, handler);
    }
}
