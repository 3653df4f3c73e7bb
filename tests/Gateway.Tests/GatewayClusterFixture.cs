using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Grains;
using Orleans.Loki.Storage;
using Orleans.TestingHost;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// The Loki HTTP API (in-memory test server) over a 3-silo in-process cluster with a filesystem object store in a
/// temporary directory. Query limits are switchable per test through <see cref="Limits"/>.
/// </summary>
public sealed class GatewayClusterFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private string _root = "";

    public TestCluster Cluster { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public SwitchableLimits Limits { get; } = new();

    /// <summary>The ingester settings of the cluster's silos (a second gateway over the cluster needs them too).</summary>
    public static IngesterOptions Ingester => SiloConfigurator.Ingester;

    public async Task InitializeAsync()
    {
        // Chunks here are small: read all but the smallest with range reads (index first, blocks on demand).
        Orleans.Loki.Grains.Querier.ChunkFetch.WholeBelow = 2 * 1024;
        _root = Path.Combine(Path.GetTempPath(), "loki-gateway-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(_root);
        var builder = new TestClusterBuilder(initialSilosCount: 3);
        builder.Properties["StoreRoot"] = _root;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        _app = await TestGateway.StartAsync(Cluster.Client, SiloConfigurator.Ingester, new GatewayOptions(),
            services: s => s.AddSingleton<ITenantLimits>(Limits));
        Http = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Limits the tests change between requests (the defaults otherwise).</summary>
    public sealed class SwitchableLimits : ITenantLimits
    {
        private volatile QueryLimits _query = new();

        public QueryLimits Current
        {
            get => _query;
            set => _query = value;
        }

        public Orleans.Loki.Push.ValidationLimits Validation(string tenant) => new();

        public QueryLimits Query(string tenant) => _query;

        public Orleans.Loki.Grains.Limits.IngestionLimits Ingestion(string tenant) => new();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public static readonly IngesterOptions Ingester = new()
        {
            // Flushes happen on request (POST /flush); the timer must not race them.
            FlushCheckPeriod = TimeSpan.FromHours(1),
            ChunkBlockSize = 4 * 1024,
            ChunkTargetSize = 16 * 1024,
        };

        public void Configure(ISiloBuilder siloBuilder)
        {
            // Every silo of a test cluster runs every module, as a monolithic (target=all) server.
            siloBuilder.AddLokiRolePlacement("all");
            siloBuilder.Services.AddSingleton(TimeProvider.System);
            siloBuilder.Services.AddSingleton(Ingester);
            siloBuilder.Services.AddSingleton<IObjectStore>(new FileSystemObjectStore(siloBuilder.Configuration["StoreRoot"]!));
            siloBuilder.Services.AddLokiIngester();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayClusterCollection : ICollectionFixture<GatewayClusterFixture>
{
    public const string Name = "gateway-cluster";
}
