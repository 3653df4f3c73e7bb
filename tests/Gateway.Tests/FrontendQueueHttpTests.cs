using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Ops;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.Grains;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>The frontend queue through HTTP: a tenant whose queue is full gets Loki's 429, another tenant does not.</summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class FrontendQueueHttpTests(GatewayClusterFixture fixture)
{
    [Fact]
    public async Task A_tenant_with_a_full_queue_gets_429_too_many_outstanding_requests_and_others_are_served()
    {
        // One slot, one waiting sub-query per tenant; the slot is held until the test lets go.
        var scheduler = new FairScheduler(maxConcurrent: 1, maxOutstandingPerTenant: 1);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = scheduler.RunAsync("other", _ => gate.Task, CancellationToken.None);

        var web = WebApplication.CreateBuilder();
        web.WebHost.UseTestServer();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.Services.AddSingleton(fixture.Cluster.Client);
        web.Services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        web.Services.AddSingleton(TimeProvider.System);
        web.Services.AddSingleton(new IngesterOptions());
        web.Services.AddLokiGateway(new GatewayOptions { AuthEnabled = true });
        web.Services.AddSingleton<ITenantLimits>(fixture.Limits);
        web.Services.AddSingleton(scheduler);
        await using var app = web.Build();
        app.MapLokiApi(new BuildInfoResponse("test", "test"), new object());
        await app.StartAsync();
        using var http = app.GetTestClient();

        var query = "/loki/api/v1/query?query=" + Uri.EscapeDataString("vector(1)") + "&time=1700000000";
        Task<HttpResponseMessage> Send(string tenant)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, query);
            request.Headers.Add("X-Scope-OrgID", tenant);
            return http.SendAsync(request);
        }

        var first = Send("team-a");
        await Eventually.HoldsAsync(() => scheduler.Queued("team-a") == 1, TimeSpan.FromSeconds(30), "the queue state");
        using (var refused = await Send("team-a"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("too many outstanding requests", await refused.Content.ReadAsStringAsync());
        }
        var otherTenant = Send("team-b");
        await Eventually.HoldsAsync(() => scheduler.Queued("team-b") == 1, TimeSpan.FromSeconds(30), "the queue state");

        gate.SetResult(0);
        await blocker;
        using var a = await first;
        using var b = await otherTenant;
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        // The first query waited for the slot: its stats report the time spent queued.
        using var stats = System.Text.Json.JsonDocument.Parse(await a.Content.ReadAsStringAsync());
        Assert.True(stats.RootElement.GetProperty("data").GetProperty("stats").GetProperty("summary").GetProperty("queueTime").GetDouble() > 0);
        await app.StopAsync();
    }
}
