using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Ruler.Api;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Grains;
using Orleans.Loki.Ruler.Notify;
using Orleans.Loki.Ruler.RemoteWrite;
using Orleans.Loki.Ruler.Store;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Ruler;

/// <summary>Registration of the ruler: rule store, query runner, Alertmanager notifier, remote writer, rule sync, APIs.</summary>
public static class RulerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ruler's services. <paramref name="evaluate"/>: this silo takes part in evaluation (the rule sync
    /// runs here); call after <c>UseOrleans</c> so the sync starts once the silo accepts calls.
    /// Needs <see cref="Gateway.Query.QueryService"/>, an <see cref="IObjectStore"/> and a <c>loki-state</c> grain storage.
    /// </summary>
    public static IServiceCollection AddLokiRuler(this IServiceCollection services, RulerOptions options, bool evaluate = true)
    {
        services.AddSingleton(options);
        services.AddSingleton<IRuleStore>(sp => options.StorageType == "local"
            ? new LocalRuleStore(options.LocalDirectory!, sp.GetRequiredService<ILogger<LocalRuleStore>>())
            : new ObjectRuleStore(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<ILogger<ObjectRuleStore>>()));
        services.AddSingleton<IRuleQueryRunner, FrontendRuleQueryRunner>();
        services.AddSingleton<AlertmanagerNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertmanagerNotifier>());
        services.AddSingleton<RemoteWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<RemoteWriter>());
        if (evaluate)
        {
            services.AddHostedService<RulerSyncService>();
        }
        return services;
    }

    /// <summary>Maps the rules API (when <c>enable_api</c>) and the Prometheus-compatible rules and alerts API.</summary>
    public static IEndpointRouteBuilder MapRulerApi(this IEndpointRouteBuilder app, RulerOptions options)
    {
        if (options.EnableApi)
        {
            app.MapRulesApi();
        }
        app.MapPrometheusRulesApi();
        return app;
    }
}
