using Azure.Storage.Blobs;
using Orleans.Loki.Gateway.Deletion;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Silo.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.Loki.Silo;

/// <summary>
/// Wiring of the compactor: grain storage <c>loki-state</c> (Azure blob grain storage with the Azure store, files under
/// the data directory otherwise), the compactor's options and keep-alive, the delete API and the delete-backed
/// results-cache generation numbers.
/// </summary>
public static class CompactorHosting
{
    /// <summary>Name of the grain storage every persistent grain of this process uses.</summary>
    public const string StateStorage = "loki-state";

    /// <summary>Registers <c>loki-state</c> on the silo.</summary>
    public static void AddLokiStateStorage(this ISiloBuilder silo, LokiSettings settings)
    {
        if (settings.AzureConnectionString is { } connection)
        {
            silo.AddAzureBlobGrainStorage(StateStorage, o =>
            {
                o.BlobServiceClient = new BlobServiceClient(connection);
                o.ContainerName = settings.AzureContainerName + "-state";
            });
            return;
        }
        var root = Path.Combine(Path.GetFullPath(settings.PathPrefix), ".grain-state");
        silo.Services.AddKeyedSingleton<IGrainStorage>(StateStorage, (sp, _) => new FileGrainStorage(root, sp.GetRequiredService<Serializer>()));
    }

    /// <summary>The compactor's services; on targets that run the compactor module (<c>all</c>, <c>backend</c>, <c>compactor</c>) also the timer keep-alive.</summary>
    public static void AddLokiCompactor(this IServiceCollection services, LokiSettings settings)
    {
        services.AddSingleton(settings.Compactor);
        services.AddSingleton<ICacheGenerations>(sp => new DeleteRequestCacheGenerations(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<LocalCacheGenerations>()));
        if (ClusterHosting.Modules(settings).Contains(Grains.Placement.LokiModules.Compactor))
        {
            services.AddHostedService<CompactorKeepAlive>();
        }
    }

    /// <summary>The delete API, served when retention is enabled (Loki answers 404 otherwise).</summary>
    public static void MapLokiCompactorApi(this WebApplication app, LokiSettings settings)
    {
        if (settings.Compactor.RetentionEnabled && ClusterHosting.Modules(settings).Contains(Grains.Placement.LokiModules.Compactor))
        {
            app.MapLokiDeleteApi(settings.Gateway, settings.Compactor);
        }
    }

    /// <summary>
    /// Activates the cluster's compactor grain (and with it its timer) every minute: after the compactor's silo died,
    /// the next ping re-activates it on a live silo.
    /// </summary>
    private sealed class CompactorKeepAlive(IGrainFactory grains, ILogger<CompactorKeepAlive> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
            do
            {
                try
                {
                    await GrainRefs.Get<ICompactorGrain>(grains, 0).EnsureRunningAsync().WaitAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "compactor keep-alive failed; retrying in a minute");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
    }
}
