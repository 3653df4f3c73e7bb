using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.Storage;
using Orleans.TestingHost;

namespace Orleans.Loki.Grains.Tests;

/// <summary>A 3-silo in-process cluster over a filesystem object store in a temporary directory.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    public IObjectStore Store { get; private set; } = null!;
    public string StoreDescription { get; private set; } = "";

    protected virtual string StoreKind => "file";

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 3);
        builder.Properties["StoreKind"] = StoreKind;
        if (StoreKind == "file")
        {
            var root = Path.Combine(Path.GetTempPath(), "loki-cluster-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(root);
            builder.Properties["StoreRoot"] = root;
            Store = new FileSystemObjectStore(root);
            StoreDescription = root;
        }
        else
        {
            var container = "cluster-" + Guid.NewGuid().ToString("n")[..12];
            builder.Properties["AzureConnection"] = AzuriteConnection.ConnectionString;
            builder.Properties["AzureContainer"] = container;
            Store = await AzuriteConnection.CreateStoreAsync(container);
            StoreDescription = container;
        }
        await SeedAsync(Store);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Writes objects the silos find when they start (e.g. the WAL of a silo that died earlier).</summary>
    protected virtual Task SeedAsync(IObjectStore store) => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (StoreKind == "file" && Directory.Exists(StoreDescription))
        {
            Directory.Delete(StoreDescription, recursive: true);
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            // Every silo of a test cluster runs every module, as a monolithic (target=all) server.
            siloBuilder.AddLokiRolePlacement("all");
            var config = siloBuilder.Configuration;
            siloBuilder.Services.AddSingleton(TimeProvider.System);
            siloBuilder.Services.AddLokiIngester();
            siloBuilder.Services.AddLokiTail();
            siloBuilder.Services.AddSingleton(new IngesterOptions
            {
                // Flushes in these tests happen on request; the timer must not race them.
                FlushCheckPeriod = TimeSpan.FromHours(1),
                ChunkBlockSize = 16 * 1024,
                ChunkTargetSize = 64 * 1024,
            });
            if (config["StoreKind"] == "file")
            {
                var root = config["StoreRoot"]!;
                siloBuilder.Services.AddSingleton<IObjectStore>(new FileSystemObjectStore(root));
            }
            else
            {
                var container = new BlobServiceClient(config["AzureConnection"]).GetBlobContainerClient(config["AzureContainer"]);
                siloBuilder.Services.AddSingleton<IObjectStore>(new AzureBlobObjectStore(container));
            }
        }
    }
}

/// <summary>The same cluster over Azure Blob storage (Azurite).</summary>
public sealed class AzureClusterFixture : ClusterFixture
{
    protected override string StoreKind => "azure";
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

[CollectionDefinition(Name)]
public sealed class AzureClusterCollection : ICollectionFixture<AzureClusterFixture>
{
    public const string Name = "azure-cluster";
}
