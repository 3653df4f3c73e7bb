using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Grains.Placement;

namespace Orleans.Loki.Gateway.Cluster;

/// <summary>
/// Which module serves which HTTP path (Loki's split): a silo answers a path only when it runs one of the path's
/// modules; otherwise 404 <c>404 page not found</c>, as Loki does for a route its target did not register.
/// Paths not listed here (<c>/ready</c>, <c>/metrics</c>, <c>/config</c>, <c>/services</c>, build info, ...) are
/// served by every target.
/// </summary>
public static class ModuleRoutes
{
    private static readonly string[] s_query = [LokiModules.QueryFrontend, LokiModules.Querier];

    // Longest prefixes first: the first match decides.
    private static readonly (string Prefix, string[] Modules)[] s_routes =
    [
        ("/loki/api/v1/status/buildinfo", []),
        ("/loki/api/v1/push", [LokiModules.Distributor]),
        ("/api/prom/push", [LokiModules.Distributor]),
        ("/otlp/v1/logs", [LokiModules.Distributor]),
        ("/distributor/", [LokiModules.Distributor]),
        ("/ingester/", [LokiModules.Ingester]),
        ("/flush", [LokiModules.Ingester]),
        ("/loki/api/v1/rules", [LokiModules.Ruler]),
        ("/api/prom/rules", [LokiModules.Ruler]),
        ("/api/prom/alerts", [LokiModules.Ruler]),
        ("/prometheus/api/v1/rules", [LokiModules.Ruler]),
        ("/prometheus/api/v1/alerts", [LokiModules.Ruler]),
        ("/ruler/", [LokiModules.Ruler]),
        ("/loki/api/v1/delete", [LokiModules.Compactor]),
        ("/loki/api/v1/cache/generation_numbers", [LokiModules.Compactor]),
        ("/compactor/", [LokiModules.Compactor]),
        ("/indexgateway/", [LokiModules.IndexGateway]),
        ("/loki/api/v1/", s_query),
        ("/api/prom/", s_query),
    ];

    /// <summary>The modules that serve <paramref name="path"/>, or an empty list when every target serves it.</summary>
    public static IReadOnlyList<string> ModulesFor(string path)
    {
        foreach (var (prefix, modules) in s_routes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return modules;
            }
        }
        return [];
    }

    /// <summary>Whether a silo running <paramref name="modules"/> serves <paramref name="path"/>.</summary>
    public static bool Serves(IReadOnlySet<string> modules, string path)
    {
        var needed = ModulesFor(path);
        if (needed.Count == 0)
        {
            return true;
        }
        foreach (var module in needed)
        {
            if (modules.Contains(module))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Answers 404 for the paths the silo's modules do not serve. No-op for a silo that runs every module.</summary>
    public static IApplicationBuilder UseLokiModuleRoutes(this IApplicationBuilder app, IReadOnlySet<string> modules)
    {
        if (LokiModules.All.All(modules.Contains))
        {
            return app;
        }
        return app.Use(async (ctx, next) =>
        {
            if (!Serves(modules, ctx.Request.Path.Value ?? "/"))
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("404 page not found\n").ConfigureAwait(false);
                return;
            }
            await next(ctx).ConfigureAwait(false);
        });
    }
}
