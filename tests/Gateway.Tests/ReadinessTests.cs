using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Gateway.Ops;
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
        var web = WebApplication.CreateBuilder();
        web.WebHost.UseTestServer();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.Services.AddSingleton(fixture.Cluster.Client);
        web.Services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        web.Services.AddSingleton(TimeProvider.System);
        web.Services.AddSingleton(GatewayClusterFixture.Ingester);
        web.Services.AddSingleton(progress);
        web.Services.AddLokiGateway(new GatewayOptions());
        await using var app = web.Build();
        app.MapLokiApi(new BuildInfoResponse("test", "test"), new object());
        await app.StartAsync();
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
