using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// The endpoints Grafana's label browser, log volume panels and Logs Drilldown use beyond queries: index stats and
/// volume, detected labels and fields, patterns (GET and POST form each).
/// </summary>
public static class ExploreApi
{
    public static IServiceCollection AddExploreApi(this IServiceCollection services)
    {
        services.AddSingleton<IndexReader>();
        services.AddSingleton<IndexApi>();
        services.AddSingleton<DetectedApi>();
        services.AddSingleton<PatternsApi>();
        return services;
    }

    public static IEndpointRouteBuilder MapExploreApi(this IEndpointRouteBuilder app)
    {
        MapBoth(app, "/loki/api/v1/index/stats", (HttpContext ctx, IndexApi api) => api.StatsAsync(ctx));
        MapBoth(app, "/loki/api/v1/index/shards", (HttpContext ctx, IndexApi api) => api.ShardsAsync(ctx));
        MapBoth(app, "/loki/api/v1/index/volume", (HttpContext ctx, IndexApi api) => api.VolumeAsync(ctx, range: false));
        MapBoth(app, "/loki/api/v1/index/volume_range", (HttpContext ctx, IndexApi api) => api.VolumeAsync(ctx, range: true));
        MapBoth(app, "/loki/api/v1/detected_labels", (HttpContext ctx, DetectedApi api) => api.DetectedLabelsAsync(ctx));
        MapBoth(app, "/loki/api/v1/detected_fields", (HttpContext ctx, DetectedApi api) => api.DetectedFieldsAsync(ctx, null));
        MapBoth(app, "/loki/api/v1/detected_field/{name}/values", (HttpContext ctx, string name, DetectedApi api) => api.DetectedFieldsAsync(ctx, name));
        MapBoth(app, "/loki/api/v1/patterns", (HttpContext ctx, PatternsApi api) => api.PatternsAsync(ctx));
        return app;
    }

    private static void MapBoth(IEndpointRouteBuilder app, string pattern, Delegate handler)
    {
        app.MapGet(pattern, handler);
        app.MapPost(pattern, handler);
    }
}
