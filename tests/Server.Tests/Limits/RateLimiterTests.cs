using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Gateway;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Model;

namespace Orleans.Loki.Server.Tests;

/// <summary>The distributor's per-tenant token bucket with Loki's global strategy, and Loki's byte rendering.</summary>
public sealed class RateLimiterTests
{
    private const long MiB = 1 << 20;

    private sealed class FixedGateways(int count) : IGatewayCount
    {
        public int Count { get; set; } = count;
    }

    private static IngestionRateLimiter Limiter(IngestionLimits ingestion, IGatewayCount gateways, TimeProvider time) =>
        new(new DefaultTenantLimits(new GatewayOptions { Ingestion = ingestion }), gateways, time);

    [Fact]
    public void GlobalStrategy_DividesTheRateByGateways_ButNotTheBurst()
    {
        var time = new FakeTimeProvider();
        var gateways = new FixedGateways(4);
        var limiter = Limiter(new IngestionLimits { IngestionRateMb = 4, IngestionBurstSizeMb = 6 }, gateways, time);

        Assert.True(limiter.TryAcquire("t", 6 * MiB, out var limit));
        Assert.Equal(MiB, limit);
        Assert.False(limiter.TryAcquire("t", 1, out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("t", MiB, out _));
        Assert.False(limiter.TryAcquire("t", 1024, out _));

        gateways.Count = 1;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("t", 4 * MiB, out limit));
        Assert.Equal(4 * MiB, limit);
    }

    [Fact]
    public void LocalStrategy_IgnoresTheGatewayCount_AndTenantsHaveTheirOwnBuckets()
    {
        var time = new FakeTimeProvider();
        var limiter = Limiter(new IngestionLimits { IngestionRateMb = 1, IngestionBurstSizeMb = 1, IngestionRateStrategy = "local" }, new FixedGateways(8), time);
        Assert.True(limiter.TryAcquire("a", MiB, out var limit));
        Assert.Equal(MiB, limit);
        Assert.False(limiter.TryAcquire("a", 1, out _));
        Assert.True(limiter.TryAcquire("b", MiB, out _));
    }

    [Fact]
    public void RequestLargerThanTheBurst_NeverPasses()
    {
        var time = new FakeTimeProvider();
        var limiter = Limiter(new IngestionLimits { IngestionRateMb = 100, IngestionBurstSizeMb = 1 }, new FixedGateways(1), time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.False(limiter.TryAcquire("t", MiB + 1, out _));
        Assert.True(limiter.TryAcquire("t", MiB, out _));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(9, "9 B")]
    [InlineData(500, "500 B")]
    [InlineData(1500, "1.5 kB")]
    [InlineData(3 * MiB, "3.1 MB")]
    [InlineData(15 * MiB, "16 MB")]
    [InlineData(1_000_000_000, "1.0 GB")]
    public void GoBytes_RendersSizesAsLokisErrorTexts(long bytes, string expected) => Assert.Equal(expected, GoBytes.Humanize(bytes));
}
