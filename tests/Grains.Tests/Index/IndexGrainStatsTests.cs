using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests.Index;

[Collection(ClusterCollection.Name)]
public sealed class IndexGrainStatsTests(ClusterFixture fixture)
{
    private const long DayNs = 86_400_000_000_000L;

    [Fact]
    public async Task ChunkAcrossMidnight_IsSplitBetweenTheTwoDayIndexes_AndCountedOnce()
    {
        var tenant = "stats-" + Guid.NewGuid().ToString("n")[..8];
        var (labels, fp) = StreamClient.Stream(("app", "night"));
        var day = 20_000;
        var chunk = new ChunkRef("k1", (day + 1) * DayNs - 50, (day + 1) * DayNs + 50, 10, 1000, 100);
        var today = fixture.Cluster.GrainFactory.GetGrain<IIndexGrain>($"{tenant}/{day}");
        var tomorrow = fixture.Cluster.GrainFactory.GetGrain<IIndexGrain>($"{tenant}/{day + 1}");
        await today.AddChunkAsync(fp, labels, chunk);
        await tomorrow.AddChunkAsync(fp, labels, chunk);
        MatcherSpec[] matchers = [new("app", "=", "night")];

        var a = await today.StatsAsync(matchers, day * DayNs, (day + 2) * DayNs);
        var b = await tomorrow.StatsAsync(matchers, day * DayNs, (day + 2) * DayNs);

        Assert.Equal([fp], a.Fingerprints);
        Assert.Equal((1L, 5L, 500L), (a.Chunks, a.Entries, a.Bytes));
        Assert.Equal([fp], b.Fingerprints);
        Assert.Equal((0L, 5L, 500L), (b.Chunks, b.Entries, b.Bytes));

        var volume = await tomorrow.VolumeAsync(new VolumeRequest(matchers, ["app"], false, true, false, [day * DayNs, (day + 2) * DayNs], 10));
        Assert.Equal([("{app=\"night\"}", 500L)], volume.Series.Select(s => (s.Name, s.Bytes.Sum())));

        var sets = await today.LabelValueSetsAsync([]);
        Assert.Equal([("app", "night")], sets.Select(s => (s.Name, Assert.Single(s.Values))));
        Assert.Equal([labels], (await today.SeriesAsync(matchers)).Select(s => s.Labels));
    }

    [Fact]
    public async Task StreamGrain_DescribesItsInMemoryChunk_WithoutTheLines()
    {
        var tenant = "mem-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var (labels, fp) = StreamClient.Stream(("app", "mem"));
        var now = TestClock.NowNs;
        await client.PushAsync(labels, fp, (now, "abcd"), (now + 10, "efghij"));

        var chunks = await client.Grain(fp).InMemoryChunksAsync(now - 1, now + 100);
        var chunk = Assert.Single(chunks);
        Assert.Equal((now, now + 11, 2, 10L), (chunk.FromNs, chunk.ThroughNs, chunk.Entries, chunk.UncompressedBytes));

        Assert.Empty(await client.Grain(fp).InMemoryChunksAsync(now + 11, now + 100));
    }
}
