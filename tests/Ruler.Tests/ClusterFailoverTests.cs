using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Loki.Gateway;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Grains;
using Orleans.Loki.Ruler.Rules;
using Orleans.Loki.Ruler.Store;
using Orleans.Loki.Storage;
using Orleans.Loki.Testing;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>
/// A 3-silo cluster, each silo running the query path and the ruler (as every <c>all</c>/<c>backend</c> silo does),
/// sending to a real Alertmanager. Grain state goes to a store all silos of this process share, standing in for the
/// persistent <c>loki-state</c> provider (it outlives any one silo, as blob or file storage does).
/// </summary>
[Collection(PromServicesCollection.Name)]
public sealed class ClusterFailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(4);

    private readonly PromServices _services = new();
    private TestCluster _cluster = null!;
    private string _root = "";

    public async Task InitializeAsync()
    {
        await _services.StartAsync();
        _root = Path.Combine(Path.GetTempPath(), "loki-ruler-cluster-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(_root);
        var builder = new TestClusterBuilder(initialSilosCount: 3);
        builder.Properties["StoreRoot"] = _root;
        builder.Properties["Alertmanager"] = _services.AlertmanagerUrl;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _services.StopAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task SiloHoldingAFiringGroupDies_GroupResumesElsewhereWithinTwoIntervals_AlertNeverResolves()
    {
        var store = new ObjectRuleStore(new FileSystemObjectStore(_root), NullLogger<ObjectRuleStore>.Instance);
        var management = _cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        var tenant = "cluster-" + Guid.NewGuid().ToString("n")[..8];
        string alertName = "", key = "";
        Orleans.Runtime.SiloAddress? host = null;
        var hosts = new List<string>();
        // Random placement: pick a group that landed on a secondary silo (the primary hosts the test membership table).
        for (var attempt = 0; attempt < 20; attempt++)
        {
            alertName = $"Always_{tenant}_{attempt}";
            var group = new RuleGroupDesc
            {
                Namespace = "ns",
                Name = "g" + attempt,
                Interval = Interval,
                Rules = [new RuleDesc { Alert = alertName, Expr = "vector(1) > 0", Labels = new() { ["severity"] = "page" } }],
            };
            await store.SetGroupAsync(tenant, group, CancellationToken.None);
            await _cluster.GrainFactory.GetGrain<IRulerSyncGrain>(0).SyncAsync(tenant);
            key = RuleGroupKey.Of(tenant, group.Namespace, group.Name);
            host = await management.GetActivationAddress(_cluster.GrainFactory.GetGrain<IRuleGroupGrain>(key));
            hosts.Add($"{host}/{(await _cluster.GrainFactory.GetGrain<IRuleGroupGrain>(key).GetStatusAsync()) is not null}");
            if (host is not null && host != _cluster.Primary!.SiloAddress)
            {
                break;
            }
            await store.DeleteGroupAsync(tenant, group.Namespace, group.Name, CancellationToken.None);
        }
        Assert.True(host is not null && host != _cluster.Primary!.SiloAddress, $"no group landed on a secondary silo: {string.Join(", ", hosts)}; primary {_cluster.Primary.SiloAddress}");

        var firing = await Eventually.HoldsAsync(() => AlertAsync(alertName), a => a is not null, TimeSpan.FromSeconds(20), $"{alertName} firing in Alertmanager");
        var startsAt = firing.GetValueOrDefault().GetProperty("startsAt").GetDateTimeOffset();
        var status = await _cluster.GrainFactory.GetGrain<IRuleGroupGrain>(key).GetStatusAsync();
        var firedAt = status!.Rules[0].Alerts.Single().FiredAtNs;

        var killed = DateTimeOffset.UtcNow;
        await _cluster.KillSiloAsync(_cluster.GetActiveSilos().Single(s => s.SiloAddress == host));

        // Alertmanager hears from the group again (its updatedAt moves past the kill) within two intervals, and the
        // alert stays active all along.
        var resumed = await Eventually.HoldsAsync(async () =>
        {
            var a = await AlertAsync(alertName);
            Assert.True(a is not null && a.Value.GetProperty("endsAt").GetDateTimeOffset() > DateTimeOffset.UtcNow, $"{alertName} resolved during the failover: {a}");
            return a!.Value.GetProperty("updatedAt").GetDateTimeOffset();
        }, updated => updated > killed, TimeSpan.FromSeconds(30), $"{alertName} sent again after the kill");
        Assert.True(resumed - killed <= 2 * Interval, $"resumed {(resumed - killed).TotalSeconds:F1}s after the kill (interval {Interval.TotalSeconds}s)");

        var newHost = await management.GetActivationAddress(_cluster.GrainFactory.GetGrain<IRuleGroupGrain>(key));
        Assert.NotNull(newHost);
        Assert.NotEqual(host, newHost);
        var after = await _cluster.GrainFactory.GetGrain<IRuleGroupGrain>(key).GetStatusAsync();
        var alert = after!.Rules[0].Alerts.Single();
        Assert.Equal((AlertState.Firing, firedAt), (alert.State, alert.FiredAtNs));
        var again = await AlertAsync(alertName);
        Assert.Equal(startsAt, again.GetValueOrDefault().GetProperty("startsAt").GetDateTimeOffset());
    }

    private async Task<JsonElement?> AlertAsync(string alertName)
    {
        var body = await _services.Alertmanager.GetStringAsync($"/api/v2/alerts?filter={Uri.EscapeDataString($"alertname=\"{alertName}\"")}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetArrayLength() == 0 ? null : doc.RootElement[0].Clone();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            // Every silo of a test cluster runs every module, as a monolithic (target=all) server.
            siloBuilder.AddLokiRolePlacement("all");
            var config = siloBuilder.Configuration;
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                // Declare a killed silo dead within a couple of seconds.
                o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            var services = siloBuilder.Services;
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(new IngesterOptions { FlushCheckPeriod = TimeSpan.FromHours(1) });
            services.AddSingleton<IObjectStore>(new FileSystemObjectStore(config["StoreRoot"]!));
            services.AddLokiIngester();
            services.AddLokiGateway(new Orleans.Loki.Gateway.GatewayOptions { AuthEnabled = true });
            services.AddLokiRuler(new RulerOptions
            {
                EvaluationInterval = Interval,
                PollInterval = TimeSpan.FromMinutes(5),   // only membership changes trigger the sync here
                ResendDelay = TimeSpan.FromMilliseconds(100),
                AlertmanagerUrl = config["Alertmanager"]!,
            });
            services.AddGrainStorage("loki-state", (sp, _) => new SharedGrainStorage(sp.GetRequiredService<Serializer>()));
        }
    }

    /// <summary>Grain storage shared by every silo of this process: state outlives the silo that wrote it.</summary>
    private sealed class SharedGrainStorage(Serializer serializer) : IGrainStorage
    {
        private static readonly ConcurrentDictionary<string, (byte[] Data, string ETag)> s_states = new(StringComparer.Ordinal);

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (s_states.TryGetValue(Key(stateName, grainId), out var stored))
            {
                grainState.State = serializer.Deserialize<T>(stored.Data);
                grainState.ETag = stored.ETag;
                grainState.RecordExists = true;
            }
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var etag = Guid.NewGuid().ToString("n");
            s_states[Key(stateName, grainId)] = (serializer.SerializeToArray(grainState.State), etag);
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            s_states.TryRemove(Key(stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        private static string Key(string stateName, GrainId id) => stateName + "\n" + id.ToString();
    }
}
