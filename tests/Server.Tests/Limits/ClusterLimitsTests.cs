using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Chunks;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Model;
using Orleans.Loki.Storage;
using Orleans.Loki.Testing;
using Orleans.TestingHost;

namespace Orleans.Loki.Server.Tests;

/// <summary>A 2-silo cluster whose stream grains read small ingestion limits from the silo's services.</summary>
public sealed class TwoSiloFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "loki-limits-cluster-" + Guid.NewGuid().ToString("n"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.Properties["StoreRoot"] = _root;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            // Every silo of a test cluster runs every module, as a monolithic (target=all) server.
            siloBuilder.AddLokiRolePlacement("all");
            siloBuilder.Services.AddSingleton(TimeProvider.System);
            siloBuilder.Services.AddSingleton(new IngesterOptions { FlushCheckPeriod = TimeSpan.FromHours(1) });
            siloBuilder.Services.AddSingleton<IObjectStore>(new FileSystemObjectStore(siloBuilder.Configuration["StoreRoot"]!));
            siloBuilder.Services.AddLokiIngester();
            siloBuilder.Services.AddSingleton<IIngestionLimitsSource>(new DefaultIngestionLimitsSource(new IngestionLimits
            {
                MaxGlobalStreamsPerUser = 3,
                PerStreamRateLimit = 1000,
                PerStreamRateLimitBurst = 2000,
            }));
        }
    }
}

/// <summary>Stream-level limits enforced by the stream grains, counted across silos.</summary>
public sealed class ClusterLimitsTests(TwoSiloFixture fixture) : IClassFixture<TwoSiloFixture>
{
    private Task<PushAck> PushAsync(string tenant, string app, params (long Ts, string Line)[] entries)
    {
        var pairs = new[] { new KeyValuePair<string, string>("app", app) };
        var labels = LabelSet.Format(pairs);
        var batch = EntryBatch.Encode(entries.Select(e => new LogEntry(e.Ts, Encoding.UTF8.GetBytes(e.Line), null)).ToArray());
        return fixture.Cluster.GrainFactory.GetGrain<IStreamGrain>(StorageKeys.StreamGrainKey(tenant, LabelSet.Fingerprint(labels)))
            .PushAsync(new StreamPush(labels, batch, entries.Length));
    }

    [Fact]
    public void GatewayCount_IsTheNumberOfActiveSilos()
    {
        foreach (var silo in fixture.Cluster.Silos.Cast<InProcessSiloHandle>())
        {
            var count = new MembershipGatewayCount(silo.SiloHost.Services.GetRequiredService<IClusterMembershipService>());
            Assert.Equal(2, count.Count);
        }
        Assert.Equal(1, new MembershipGatewayCount(null).Count);
    }

    [Fact]
    public async Task ActiveStreams_AreCountedAcrossSilos_AndTheLimitRefusesNewOnes()
    {
        var now = TestClock.NowNs;
        var acks = new List<PushAck>();
        for (var i = 0; i < 8; i++)
        {
            acks.Add(await PushAsync("cluster-streams", $"s{i}", (now, "x")));
        }

        Assert.Equal(3, acks.Count(a => a.Accepted == 1));
        var refused = acks.Where(a => a.Accepted == 0).ToList();
        Assert.Equal(5, refused.Count);
        Assert.All(refused, a => Assert.Equal(LokiErrors.StreamLimit, Assert.Single(a.Rejected).Reason));
        Assert.Equal(3, await fixture.Cluster.GrainFactory.GetGrain<ITenantStreamsGrain>("cluster-streams").CountAsync());

        // A counted stream keeps pushing; other tenants have their own count.
        Assert.Equal(1, (await PushAsync("cluster-streams", "s0", (now + 1, "y"))).Accepted);
        Assert.Equal(1, (await PushAsync("cluster-other", "s7", (now, "x"))).Accepted);
    }

    [Fact]
    public async Task PerStreamRate_RefusesEntriesBeyondTheBurst_WithLokisReasonAndText()
    {
        var now = TestClock.NowNs;
        var line = new string('r', 1000);
        var ack = await PushAsync("cluster-rate", "hot", (now, line), (now + 1, line), (now + 2, line));

        Assert.Equal(2, ack.Accepted);
        var rejected = Assert.Single(ack.Rejected);
        Assert.Equal(LokiErrors.PerStreamRateLimit, rejected.Reason);
        Assert.Equal(1000, rejected.Bytes);
        Assert.Equal(
            $"entry with timestamp {GoTime.TimeString(now + 2)} ignored, reason: 'Per stream rate limit exceeded (limit: 1.0 kB/sec) while attempting to ingest for stream '{{app=\"hot\"}}' totaling 1.0 kB, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased',",
            rejected.Message);
    }
}
