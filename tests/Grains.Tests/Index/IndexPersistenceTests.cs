using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Index;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Tests.Index;

/// <summary>
/// The index grain's writes as the object store holds them: an acknowledged registration is in the base file or its
/// delta log (what a process restarted after kill -9 reads), the log is compacted into a new base, and an activation
/// tolerates a torn log tail and stale logs.
/// </summary>
public sealed class IndexPersistenceTests(IndexPersistenceTests.Fixture fixture) : IClassFixture<IndexPersistenceTests.Fixture>
{
    public sealed class Fixture : ClusterFixture;

    private const int Day = 20_100;

    private static (ulong[] Fingerprints, string[] Labels) Batch(int from, int count)
    {
        var fps = new ulong[count];
        var labels = new string[count];
        for (var i = 0; i < count; i++)
        {
            (labels[i], fps[i]) = StreamClient.Stream(("app", "persist"), ("instance", $"instance-with-a-longer-name-{from + i}"));
        }
        return (fps, labels);
    }

    /// <summary>The index as a new process loads it from the store: the base plus the log of its generation.</summary>
    private static async Task<(SeriesIndex Index, long Generation, List<string> Objects)> LoadAsync(IObjectStore store, string tenant, bool tornTail = false)
    {
        var objects = new List<string>();
        await foreach (var info in store.ListAsync(StorageKeys.IndexDayPrefix(tenant, Day)))
        {
            objects.Add(info.Key[StorageKeys.IndexDayPrefix(tenant, Day).Length..]);
        }
        var key = StorageKeys.IndexFile(tenant, Day);
        var index = IndexFile.Read((await store.GetAsync(key))!, key, out var generation);
        if (await store.GetAsync(StorageKeys.IndexDelta(tenant, Day, generation)) is { } log)
        {
            Assert.Equal(tornTail, IndexFile.ReadDelta(index, log).TornTail);
        }
        return (index, generation, objects);
    }

    private IIndexGrain Grain(string tenant) => fixture.Cluster.GrainFactory.GetGrain<IIndexGrain>($"{tenant}/{Day}");

    [Fact]
    public async Task AcknowledgedRegistrations_AreInTheStore_AsAppendedDeltas()
    {
        var tenant = "delta-" + Guid.NewGuid().ToString("n")[..8];
        var (fp0, labels0) = Batch(0, 1);
        await Grain(tenant).RegisterSeriesAsync(fp0[0], labels0[0]);
        var (fps, labels) = Batch(1, 50);
        await Grain(tenant).RegisterSeriesManyAsync(fps, labels);
        var chunk = new ChunkRef("c1", 1, 2, 3, 4, 5);
        await Grain(tenant).AddChunkAsync(fps[3], labels[3], chunk);

        var (index, generation, objects) = await LoadAsync(fixture.Store, tenant);

        // The first write is a base; the later ones are records in its generation's log, not rewrites.
        Assert.Equal(1, generation);
        Assert.Equal(["0", $"{StorageKeys.IndexDeltaName}{1:D10}"], objects);
        Assert.Equal(51, index.SeriesCount);
        Assert.Equal([chunk], index.AllSeries.Single(s => s.Fingerprint == fps[3]).Chunks);
        Assert.Equal(51, (await Grain(tenant).SeriesAsync([])).Count);
    }

    [Fact]
    public async Task LogGrownPastTheBase_IsCompactedIntoANewGeneration_WithTheSameSeries()
    {
        var tenant = "compact-" + Guid.NewGuid().ToString("n")[..8];
        const int perCall = 400;
        const int calls = 12;
        for (var c = 0; c < calls; c++)
        {
            var (fps, labels) = Batch(c * perCall, perCall);
            await Grain(tenant).RegisterSeriesManyAsync(fps, labels);
        }

        var (index, generation, objects) = await LoadAsync(fixture.Store, tenant);

        Assert.True(generation > 1, $"generation {generation}: the log was never compacted");
        // The superseded logs are gone: at most the current generation's log is left next to the base.
        Assert.All(objects, o => Assert.True(o == "0" || o == $"{StorageKeys.IndexDeltaName}{generation:D10}", o));
        Assert.Equal(perCall * calls, index.SeriesCount);
        var fromGrain = (await Grain(tenant).SeriesAsync([])).Select(s => (s.Fingerprint, s.Labels)).Order().ToList();
        Assert.Equal(fromGrain, index.AllSeries.Select(s => (s.Fingerprint, s.Labels)).Order().ToList());
    }

    [Fact]
    public async Task Activation_ToleratesATornLogTail_DropsStaleLogs_AndWritesANewGeneration()
    {
        var tenant = "torn-" + Guid.NewGuid().ToString("n")[..8];
        var (fps, labels) = Batch(0, 6);
        var baseIndex = new SeriesIndex();
        baseIndex.AddSeries(fps[0], labels[0]);
        await fixture.Store.PutAsync(StorageKeys.IndexFile(tenant, Day), IndexFile.Write(baseIndex, 4));
        var whole = IndexFile.WriteDelta([new IndexChange(fps[1], labels[1], null), new IndexChange(fps[2], labels[2], null)]);
        var torn = IndexFile.WriteDelta([new IndexChange(fps[3], labels[3], null)]);
        await fixture.Store.AppendAsync(StorageKeys.IndexDelta(tenant, Day, 4), whole.Concat(torn[..^3]).ToArray());
        // A log an unfinished compaction left behind: its changes must not come back.
        await fixture.Store.AppendAsync(StorageKeys.IndexDelta(tenant, Day, 3), IndexFile.WriteDelta([new IndexChange(fps[5], labels[5], null)]));

        var series = await Grain(tenant).SeriesAsync([]);

        Assert.Equal(new[] { fps[0], fps[1], fps[2] }.Order(), series.Select(s => s.Fingerprint).Order());
        var (_, _, objects) = await LoadAsync(fixture.Store, tenant, tornTail: true);
        Assert.DoesNotContain($"{StorageKeys.IndexDeltaName}{3:D10}", objects);

        // The next write never appends after the torn tail: it is a new base.
        await Grain(tenant).RegisterSeriesAsync(fps[4], labels[4]);
        var (index, generation, after) = await LoadAsync(fixture.Store, tenant);
        Assert.Equal(5, generation);
        Assert.Equal(["0"], after);
        Assert.Equal(new[] { fps[0], fps[1], fps[2], fps[4] }.Order(), index.AllSeries.Select(s => s.Fingerprint).Order());
    }

    [Fact]
    public async Task SiloKilled_AfterRegistrations_TheReactivatedIndexHasEveryAcknowledgedSeries()
    {
        var primary = fixture.Cluster.Primary!.SiloAddress;
        for (var attempt = 0; ; attempt++)
        {
            var tenant = "crash-" + Guid.NewGuid().ToString("n")[..8];
            var expected = new List<ulong>();
            for (var c = 0; c < 5; c++)
            {
                var (fps, labels) = Batch(c * 10, 10);
                await Grain(tenant).RegisterSeriesManyAsync(fps, labels);
                expected.AddRange(fps);
            }
            var stats = await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
            var host = stats.Single(s => s.GrainType.Contains("IndexGrain") && s.GrainId.ToString().Contains(tenant)).SiloAddress;
            if (host.Equals(primary))
            {
                // The primary holds the test cluster's membership and is not killed: another tenant lands elsewhere.
                Assert.True(attempt < 20, "every index grain was placed on the primary silo");
                continue;
            }
            // Abrupt: no deactivation, so no at-close compaction; the delta log holds the later registrations.
            await fixture.Cluster.KillSiloAsync(fixture.Cluster.GetActiveSilos().Single(s => s.SiloAddress.Equals(host)));

            var series = await Grain(tenant).SeriesAsync([]);

            Assert.Equal(expected.Order(), series.Select(s => s.Fingerprint).Order());
            return;
        }
    }
}
