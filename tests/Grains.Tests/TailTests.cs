using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.Testing;
using Orleans.TestingHost;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// Live tail across the 3-silo cluster: observers live in one silo or in the cluster client, stream grains on every silo.
/// Silos learn of a new tail within about a second, so tests push in rounds until the first entries arrive
/// (polling with a deadline) and assert exactly what arrives after that.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TailTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    private static MatcherSpec Eq(string name, string value) => new(name, "=", value);

    [Fact]
    public async Task Tail_ReceivesEntriesFromStreamsOnEverySilo_IncludingAStreamCreatedAfterSubscribing()
    {
        var tenant = "tail-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(Grains, tenant);
        var streams = Enumerable.Range(0, 12).Select(i => StreamClient.Stream(("app", "tailed"), ("pod", $"p{i}"))).ToList();
        var other = StreamClient.Stream(("app", "not-tailed"));
        var now = TestClock.NowNs;
        foreach (var (labels, fp) in streams)
        {
            await client.PushAsync(labels, fp, (now, "before subscribing"));
        }
        var hosts = (await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .Where(s => s.GrainType.Contains("StreamGrain") && s.GrainId.ToString().Contains(tenant)).Select(s => s.SiloAddress).ToHashSet();
        Assert.True(hosts.Count > 1, $"expected the tailed streams on more than one silo, found {hosts.Count}");
        Assert.Contains(hosts, h => !h.Equals(fixture.Cluster.Primary!.SiloAddress));

        // Subscribed the way a gateway does: the observer is hosted by one silo (the primary), through its own factory.
        var silo = (InProcessSiloHandle)fixture.Cluster.Primary!;
        var siloGrains = silo.SiloHost!.Services.GetRequiredService<IGrainFactory>();
        var collector = new TailCollector();
        var hub = siloGrains.GetGrain<ITailHubGrain>(tenant);
        var result = await hub.SubscribeAsync(new TailSubscriber(Guid.NewGuid(), [Eq("app", "tailed")], siloGrains.CreateObjectReference<ITailObserver>(collector)), 10);
        Assert.True(result.Accepted);

        // Until every silo has seen the subscription, push a probe to every stream each round.
        var round = 0;
        await TailCollector.WaitUntilAsync(async () =>
        {
            var seen = collector.Received.Select(r => r.Labels).Distinct().Count();
            if (seen < streams.Count)
            {
                round++;
                foreach (var (labels, fp) in streams)
                {
                    await client.PushAsync(labels, fp, (now + round, $"probe {round}"));
                }
            }
            return seen == streams.Count;
        }, "every stream's probe to reach the tail");

        var created = StreamClient.Stream(("app", "tailed"), ("pod", "created-later"));
        await client.PushAsync(created.Labels, created.Fingerprint, (now + 1000, "new stream first line"), (now + 1001, "new stream second line"));
        await client.PushAsync(other.Labels, other.Fingerprint, (now + 1000, "other app"));
        for (var i = 0; i < streams.Count; i++)
        {
            await client.PushAsync(streams[i].Labels, streams[i].Fingerprint, (now + 2000, $"after {i} a"), (now + 2001, $"after {i} b"));
        }

        await TailCollector.WaitUntilAsync(() => collector.Has("new stream second line") && collector.Has($"after {streams.Count - 1} b"), "the entries pushed after subscribing");
        var received = collector.Received;
        Assert.Equal(
            [(created.Labels, now + 1000, "new stream first line"), (created.Labels, now + 1001, "new stream second line")],
            received.Where(r => r.Labels == created.Labels));
        for (var i = 0; i < streams.Count; i++)
        {
            Assert.Equal(
                [(now + 2000, $"after {i} a"), (now + 2001, $"after {i} b")],
                received.Where(r => r.Labels == streams[i].Labels && r.Line.StartsWith("after", StringComparison.Ordinal)).Select(r => (r.Ts, r.Line)));
        }
        Assert.DoesNotContain(received, r => r.Line == "before subscribing" || r.Line == "other app");
    }

    [Fact]
    public async Task Tail_NeverReceivesAnotherTenantsEntries()
    {
        var tenant = "tail-a-" + Guid.NewGuid().ToString("n")[..8];
        var otherTenant = "tail-b-" + Guid.NewGuid().ToString("n")[..8];
        var stream = StreamClient.Stream(("app", "shared"));
        var collector = new TailCollector();
        await Grains.GetGrain<ITailHubGrain>(tenant).SubscribeAsync(
            new TailSubscriber(Guid.NewGuid(), [Eq("app", "shared")], Grains.CreateObjectReference<ITailObserver>(collector)), 10);

        var mine = new StreamClient(Grains, tenant);
        var theirs = new StreamClient(Grains, otherTenant);
        var now = TestClock.NowNs;
        var round = 0;
        await TailCollector.WaitUntilAsync(async () =>
        {
            round++;
            await theirs.PushAsync(stream.Labels, stream.Fingerprint, (now + round, $"theirs {round}"));
            await mine.PushAsync(stream.Labels, stream.Fingerprint, (now + round, $"mine {round}"));
            return collector.Received.Count > 0;
        }, "the tenant's own entries");
        // The other tenant's push of the last round went first; anything of theirs would have arrived by now.
        await theirs.PushAsync(stream.Labels, stream.Fingerprint, (now + 10_000, "theirs last"));
        await mine.PushAsync(stream.Labels, stream.Fingerprint, (now + 10_000, "mine last"));
        await TailCollector.WaitUntilAsync(() => collector.Has("mine last"), "the last own entry");

        Assert.All(collector.Received, r => Assert.StartsWith("mine", r.Line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unsubscribe_StopsDelivery()
    {
        var tenant = "tail-unsub-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(Grains, tenant);
        var stream = StreamClient.Stream(("app", "unsub"));
        var hub = Grains.GetGrain<ITailHubGrain>(tenant);
        var first = new TailCollector();
        var firstId = Guid.NewGuid();
        await hub.SubscribeAsync(new TailSubscriber(firstId, [Eq("app", "unsub")], Grains.CreateObjectReference<ITailObserver>(first)), 10);
        var now = TestClock.NowNs;
        var round = 0;
        await TailCollector.WaitUntilAsync(async () =>
        {
            round++;
            await client.PushAsync(stream.Labels, stream.Fingerprint, (now + round, $"while subscribed {round}"));
            return first.Received.Count > 0;
        }, "delivery to the first tail");

        // Unsubscribe, then subscribe a second tail: a silo that delivers to the second has the newer subscriptions,
        // which no longer hold the first.
        await hub.UnsubscribeAsync(firstId);
        var second = new TailCollector();
        await hub.SubscribeAsync(new TailSubscriber(Guid.NewGuid(), [Eq("app", "unsub")], Grains.CreateObjectReference<ITailObserver>(second)), 10);
        await TailCollector.WaitUntilAsync(async () =>
        {
            round++;
            await client.PushAsync(stream.Labels, stream.Fingerprint, (now + round, $"switching {round}"));
            return second.Received.Count > 0;
        }, "delivery to the second tail");

        await client.PushAsync(stream.Labels, stream.Fingerprint, (now + 100_000, "after unsubscribe"));
        await TailCollector.WaitUntilAsync(() => second.Has("after unsubscribe"), "the last entry at the second tail");
        Assert.False(first.Has("after unsubscribe"));
    }

    [Fact]
    public async Task Subscribe_OverTheTenantsLimit_IsRefusedWithLokisText_AndAdmittedAgainAfterAnUnsubscribe()
    {
        var hub = Grains.GetGrain<ITailHubGrain>("tail-limit-" + Guid.NewGuid().ToString("n")[..8]);
        TailSubscriber New() => new(Guid.NewGuid(), [Eq("app", "x")], Grains.CreateObjectReference<ITailObserver>(new TailCollector()));
        var a = New();
        Assert.True((await hub.SubscribeAsync(a, 2)).Accepted);
        Assert.True((await hub.SubscribeAsync(New(), 2)).Accepted);

        var refused = await hub.SubscribeAsync(New(), 2);
        Assert.False(refused.Accepted);
        Assert.Equal("max concurrent tail requests limit exceeded, count > limit (3 > 2)", refused.Error);

        await hub.UnsubscribeAsync(a.Id);
        Assert.True((await hub.SubscribeAsync(New(), 2)).Accepted);
        Assert.Equal(2, (await hub.GetSnapshotAsync()).Subscribers.Count);
        Assert.False(await hub.RenewAsync(a.Id));
    }
}
