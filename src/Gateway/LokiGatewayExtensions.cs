using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Ops;
using Orleans.Loki.Gateway.Push;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Gateway.Tail;
using Orleans.Loki.Push;
using Prometheus;

namespace Orleans.Loki.Gateway;

/// <summary>Registration of the Loki HTTP API.</summary>
public static class LokiGatewayExtensions
{
    public static IServiceCollection AddLokiGateway(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ITenantLimits, DefaultTenantLimits>();
        services.AddSingleton(sp => new PushValidator(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Distributor>();
        services.AddSingleton<PushHandler>();
        services.AddSingleton<GrainDataSource>();
        services.AddSingleton<QueryService>();
        services.AddExploreApi();
        services.AddSingleton<TailConnectionFactory>();
        services.AddSingleton<TailService>();
        return services;
    }

    /// <summary>Maps every endpoint: push, query, tail, ops.</summary>
    public static IEndpointRouteBuilder MapLokiApi(this IEndpointRouteBuilder app, BuildInfoResponse buildInfo, object effectiveConfig)
    {
        app.MapPushApi();
        app.MapQueryApi();
        app.MapExploreApi();
        app.MapTailApi();
        app.MapOpsApi(buildInfo, effectiveConfig);
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary>Request duration metric with Loki's name, labelled by route and status.</summary>
    public static IApplicationBuilder UseLokiRequestMetrics(this IApplicationBuilder app) => app.UseMiddleware<RequestMetricsMiddleware>();
}
