using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Grains.Ingester;

namespace Orleans.Loki.Gateway.Tests;

/// <summary><c>/ready</c> answers 503 with the replay's progress until the silo's start-up WAL replay is done.</summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class ReadinessTests(GatewayClusterFixture fixture)
{
    [Fact]
    public async Task Ready_is_503_with_progress_while_the_wal_replays_then_200()
    {
        var progress = new WalRecoveryProgress();
        await using var app = await TestGateway.StartAsync(fixture.Cluster.Client, GatewayClusterFixture.Ingester, new GatewayOptions(),
            services: s => s.AddSingleton(progress));
        using var http = app.GetTestClient();

        Assert.Equal((HttpStatusCode.OK, "ready\n"), await ReadyAsync(http));

        progress.Begin();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Ingester not ready: replaying the write-ahead log (listing segments)\n"), await ReadyAsync(http));
        progress.Found(3);
        progress.StreamRecovered();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Ingester not ready: replaying the write-ahead log (1/3 streams)\n"), await ReadyAsync(http));
        progress.StreamRecovered();
        progress.StreamRecovered();
        progress.End();
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await ReadyAsync(http));
        await app.StopAsync();
    }

    private static async Task<(HttpStatusCode, string)> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
