using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// Every acknowledged entry survives the abrupt loss of the silo holding its stream grain before any flush:
/// the grain re-activates on another silo, replays its WAL, and each entry is returned exactly once.
/// </summary>
public abstract class DurabilityTests(ClusterFixture fixture)
{
    [Fact]
    public async Task SiloKilledBeforeFlush_EveryAcknowledgedEntryIsReturnedExactlyOnce()
    {
        var tenant = "durable-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var expected = new Dictionary<string, List<(long, string)>>();
        for (var s = 0; s < 12; s++)
        {
            var (labels, fp) = StreamClient.Stream(("app", "durable"), ("stream", s.ToString("D2")));
            var entries = Enumerable.Range(0, 50).Select(i => (now + i, $"stream {s} entry {i}")).ToList();
            // Several batches per stream, so the WAL holds several records.
            for (var b = 0; b < entries.Count; b += 10)
            {
                var ack = await client.PushAsync(labels, fp, [.. entries.GetRange(b, 10)]);
                Assert.Equal(10, ack.Accepted);
            }
            expected[labels] = entries;
        }

        var stats = await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var primary = fixture.Cluster.Primary!.SiloAddress;
        var victimAddress = stats.Where(s => s.GrainType.Contains("StreamGrain") && !s.SiloAddress.Equals(primary))
            .GroupBy(s => s.SiloAddress).OrderByDescending(g => g.Count()).First().Key!;
        var victim = fixture.Cluster.GetActiveSilos().Single(s => s.SiloAddress.Equals(victimAddress));
        await fixture.Cluster.KillSiloAsync(victim);

        var read = await client.ReadAsync([new MatcherSpec("app", "=", "durable")], now, now + 100);

        Assert.Equal(expected.Count, read.Count);
        foreach (var (labels, entries) in expected)
        {
            Assert.Equal(entries, read[labels]);
        }
    }
}

public sealed class FileDurabilityTests(FileDurabilityTests.Fixture fixture) : DurabilityTests(fixture), IClassFixture<FileDurabilityTests.Fixture>
{
    public sealed class Fixture : ClusterFixture;
}

public sealed class AzureDurabilityTests(AzureDurabilityTests.Fixture fixture) : DurabilityTests(fixture), IClassFixture<AzureDurabilityTests.Fixture>
{
    public sealed class Fixture : ClusterFixture
    {
        protected override string StoreKind => "azure";
    }
}
