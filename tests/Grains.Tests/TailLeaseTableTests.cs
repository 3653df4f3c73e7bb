using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Tail;

namespace Orleans.Loki.Grains.Tests;

/// <summary>The hub's lease rules with a fake clock: a gateway that stops renewing loses its tails.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TailLeaseTableTests(ClusterFixture fixture)
{
    private TailSubscriber New() => new(Guid.NewGuid(), [new MatcherSpec("app", "=", "x")],
        fixture.Cluster.GrainFactory.CreateObjectReference<ITailObserver>(new TailCollector()));

    [Fact]
    public void Tail_NotRenewedForALease_IsDropped_WhileARenewedOneStays()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var table = new TailLeaseTable(clock);
        var renewed = New();
        var abandoned = New();
        table.Subscribe(renewed, 10);
        table.Subscribe(abandoned, 10);
        var before = table.Snapshot;

        for (var elapsed = TimeSpan.Zero; elapsed <= TailLeases.Lease; elapsed += TailLeases.RenewPeriod)
        {
            clock.Advance(TailLeases.RenewPeriod);
            Assert.True(table.Renew(renewed.Id));
        }
        table.Expire();

        Assert.Equal([renewed.Id], table.Snapshot.Subscribers.Select(s => s.Id));
        Assert.True(table.Snapshot.Version > before.Version);
        Assert.False(table.Renew(abandoned.Id));
    }

    [Fact]
    public void ExpiredTails_NoLongerCountAgainstTheLimit()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var table = new TailLeaseTable(clock);
        Assert.True(table.Subscribe(New(), 1).Accepted);
        Assert.Equal("max concurrent tail requests limit exceeded, count > limit (2 > 1)", table.Subscribe(New(), 1).Error);

        clock.Advance(TailLeases.Lease);

        Assert.True(table.Subscribe(New(), 1).Accepted);
        Assert.Single(table.Snapshot.Subscribers);
    }
}
