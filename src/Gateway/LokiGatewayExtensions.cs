using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Gateway.Auth;
using Orleans.Loki.Gateway.Export;
using Orleans.Loki.Gateway.Ui;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Ops;
using Orleans.Loki.Gateway.Push;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.Gateway.Tail;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;
using Prometheus;

namespace Orleans.Loki.Gateway;

/// <summary>Registration of the Loki HTTP API.</summary>
public static class LokiGatewayExtensions
{
    public static IServiceCollection AddLokiGateway(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(options);
        if (options.RuntimeConfig.File is null)
        {
            services.AddSingleton<ITenantLimits, DefaultTenantLimits>();
        }
        else
        {
            services.AddSingleton<ITenantLimits>(sp => new RuntimeConfigTenantLimits(
                options,
                sp.GetRequiredService<RuntimeOverridesParser>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RuntimeConfigTenantLimits>>()));
        }
        // Stream grains in this silo read per-stream limits through the same (reloading) source.
        services.AddSingleton<IIngestionLimitsSource>(sp => sp.GetRequiredService<ITenantLimits>());
        services.AddSingleton<Grains.Compactor.ICompactorLimitsSource>(sp => sp.GetRequiredService<ITenantLimits>() as Grains.Compactor.ICompactorLimitsSource
            ?? new Grains.Compactor.DefaultCompactorLimitsSource(options.Compactor));
        services.AddSingleton<IGatewayCount>(sp => new MembershipGatewayCount(sp.GetService<IClusterMembershipService>()));
        services.AddSingleton<IngestionRateLimiter>();
        services.AddSingleton<StreamAdmission>();
        services.AddSingleton(sp => new PushValidator(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Distributor>();
        services.AddSingleton<PushHandler>();
        services.AddSingleton<GrainDataSource>();
        services.AddSingleton<LocalCacheGenerations>();
        services.AddSingleton<ICacheGenerations>(sp => sp.GetRequiredService<LocalCacheGenerations>());
        services.AddSingleton(sp => new ResultsCache(options.ResultsCache, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ICacheGenerations>()));
        services.AddSingleton<QueryService>();
        services.AddExploreApi();
        services.AddExportApi();
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
        app.MapExportApi();
        app.MapLokiUi();
        app.MapTailApi();
        app.MapOpsApi(buildInfo, effectiveConfig);
        app.MapTenantLimitsApi(buildInfo);
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary>Built-in authentication in front of every tenant-scoped route (a no-op unless <c>auth</c> credentials are configured).</summary>
    /// <remarks>The UI's websocket credentials (<see cref="BrowserCredentials"/>) become headers first.</remarks>
    public static IApplicationBuilder UseLokiAuth(this IApplicationBuilder app) => app.UseMiddleware<BrowserCredentials>().UseMiddleware<AuthMiddleware>();

    /// <summary>Request duration metric with Loki's name, labelled by route and status.</summary>
    public static IApplicationBuilder UseLokiRequestMetrics(this IApplicationBuilder app) => app.UseMiddleware<RequestMetricsMiddleware>();
}
