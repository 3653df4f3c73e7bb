using System.Net;
using Orleans.Configuration;
using Orleans.Loki.Gateway;
using Orleans.Loki.Gateway.Cluster;
using Orleans.Loki.Gateway.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Ops;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.Ruler;
using Orleans.Loki.Silo.Configuration;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Silo;

/// <summary>Builds the one process: an Orleans silo and the Loki HTTP API, wired from <see cref="LokiSettings"/>.</summary>
public static class LokiHost
{
    public static async Task<WebApplication> BuildAsync(LokiSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls($"http://{FormatHost(settings.HttpListenAddress)}:{settings.HttpListenPort}");
        builder.Logging.SetMinimumLevel(ParseLevel(settings.LogLevel));
        // Orleans is chatty at Information; keep its warnings.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var store = await CreateObjectStoreAsync(settings);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Ingester);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RuntimeOverridesParser>(ConfigLoader.TryParseOverrides);
        builder.Services.AddLokiIngester();
        builder.Services.AddLokiGateway(settings.Gateway);
        builder.Services.AddLokiTail();
        builder.Services.AddLokiErrorHandling();

        builder.UseOrleans(silo => ConfigureSilo(silo, settings));
        // After UseOrleans: hosted services start in order, so recovery runs once the silo accepts calls.
        builder.Services.AddHostedService<WalRecoveryService>();
        builder.Services.AddHostedService<FlushedMemoryReturner>();
        builder.Services.AddLokiRuler(settings.Ruler, evaluate: ClusterHosting.Modules(settings).Contains(Orleans.Loki.Grains.Placement.LokiModules.Ruler));
        builder.Services.AddLokiCompactor(settings);
        configure?.Invoke(builder);

        var app = builder.Build();
        foreach (var warning in settings.Warnings)
        {
            app.Logger.LogWarning("{Warning}", warning);
        }
        app.UseLokiRequestMetrics();
        app.UseLokiErrorHandling();
        app.UseWebSockets();
        app.UseLokiAuth();
        app.UseLokiModuleRoutes(ClusterHosting.Modules(settings));
        app.MapLokiApi(new BuildInfoResponse(BuildInfo.Version, BuildInfo.Revision), settings);
        app.MapRulerApi(settings.Ruler);
        app.MapLokiClusterApi(ClusterHosting.Modules(settings));
        app.MapLokiCompactorApi(settings);
        return app;
    }

    private static void ConfigureSilo(ISiloBuilder silo, LokiSettings settings)
    {
        var cluster = settings.Cluster;
        if (cluster.Provider == "localhost")
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            var address = cluster.AdvertisedAddress is { } a ? IPAddress.Parse(a) : ResolveOwnAddress();
            silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            ClusterHosting.UseMembership(silo, settings);
        }
        ClusterHosting.ConfigureRoles(silo, settings);
        // Several silos may run on one host: the silo port tells them apart (Orleans needs it unique per address anyway).
        silo.Configure<SiloOptions>(o => o.SiloName = SiloName(settings.Target, Environment.MachineName, cluster.SiloPort));
        // ---- grain storage "loki-state" (ruler and compactor state): files under the data directory, or Azure blobs ----
        silo.AddLokiStateStorage(settings);
        // ---- end of "loki-state" ----
    }

    /// <summary>The silo's name: role, host and silo port, unique among the silos of one host.</summary>
    public static string SiloName(string target, string machine, int siloPort) => $"{target}-{machine}-{siloPort}";

    private static async Task<IObjectStore> CreateObjectStoreAsync(LokiSettings settings)
    {
        if (settings.S3 is { BucketName.Length: > 0 } s3)
        {
            return await S3ObjectStore.CreateAsync(s3);
        }
        if (settings.AzureConnectionString is { } connection)
        {
            return await AzureBlobObjectStore.CreateAsync(connection, settings.AzureContainerName);
        }
        Directory.CreateDirectory(settings.PathPrefix);
        return new FileSystemObjectStore(Path.GetFullPath(settings.PathPrefix));
    }

    private static IPAddress ResolveOwnAddress()
    {
        var env = Environment.GetEnvironmentVariable("POD_IP");
        if (env is not null && IPAddress.TryParse(env, out var podIp))
        {
            return podIp;
        }
        foreach (var address in Dns.GetHostAddresses(Dns.GetHostName()))
        {
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
            {
                return address;
            }
        }
        return IPAddress.Loopback;
    }

    private static string FormatHost(string address) => address switch
    {
        "" or "0.0.0.0" or "*" => "0.0.0.0",
        _ when address.Contains(':') && !address.StartsWith('[') => $"[{address}]",
        _ => address,
    };

    private static LogLevel ParseLevel(string level) => level.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };
}
