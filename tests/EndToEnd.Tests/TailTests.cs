using System.Net;
using System.Net.WebSockets;
using Orleans.Loki.TestSupport;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>One binary for the tail tests: auth on, at most two concurrent tails per tenant.</summary>
public sealed class TailFixture : IAsyncLifetime
{
    public LokiProcess Loki { get; private set; } = null!;

    public async Task InitializeAsync() => Loki = await LokiProcess.StartAsync("""
        auth_enabled: true
        limits_config:
          max_concurrent_tail_requests: 2
        """);

    public async Task DisposeAsync() => await Loki.DisposeAsync();
}

/// <summary><c>GET /loki/api/v1/tail</c> against the real binary with <see cref="ClientWebSocket"/>.</summary>
public sealed class TailTests(TailFixture fixture) : IClassFixture<TailFixture>
{
    private static long NowNs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    private LokiProcess Loki => fixture.Loki;

    private async Task PushAsync(string tenant, string streamJson, params (long Ts, string Line)[] entries)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push") { Content = PushQueryTests.JsonPush(streamJson, entries) };
        request.Headers.Add("X-Scope-OrgID", tenant);
        using var response = await Loki.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Pushes a new probe line each round until the tail shows one (silos learn of a new tail within about a second).</summary>
    private async Task PushUntilTailedAsync(TailClient tail, string tenant, string streamJson, string prefix)
    {
        var round = 0;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!tail.Entries.Any(e => e.Line.Contains(prefix, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{prefix}' line reached the tail");
            await PushAsync(tenant, streamJson, (NowNs, $"{prefix} {++round}"));
            await tail.WaitForMessageAsync(TimeSpan.FromMilliseconds(300));
        }
    }

    [Fact]
    public async Task Tail_ReplaysTheLastEntriesFromStorage_ThenSendsNewOnes_ThroughThePipeline()
    {
        var tenant = "tail-" + Guid.NewGuid().ToString("n")[..8];
        var now = NowNs;
        await PushAsync(tenant, "{\"app\":\"web\"}", (now - 3_000_000_000, "keep old 1"), (now - 2_000_000_000, "skip old"), (now - 1_000_000_000, "keep old 2"), (now - 500_000_000, "keep old 3"));

        var query = "{app=\"web\"} |= \"keep\" | line_format \"> {{__line__}}\"";
        await using var tail = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenant, query, $"&limit=2&start={now - 60_000_000_000}");
        await tail.ReceiveUntilAsync(t => t.Entries.Count >= 2, "the replayed entries");
        Assert.Equal(["> keep old 2", "> keep old 3"], tail.Entries.Select(e => e.Line));
        Assert.Equal("web", tail.Entries[0].Labels["app"]);

        await PushUntilTailedAsync(tail, tenant, "{\"app\":\"web\"}", "keep probe");
        var t = NowNs;
        await PushAsync(tenant, "{\"app\":\"web\"}", (t, "keep live a"), (t + 1, "dropped by the filter"), (t + 2, "keep live b"));
        await tail.ReceiveUntilAsync(x => x.Has("> keep live b"), "the live entries");
        Assert.Equal(["> keep live a", "> keep live b"], tail.Entries.Where(e => e.Line.StartsWith("> keep live", StringComparison.Ordinal)).Select(e => e.Line));
        Assert.DoesNotContain(tail.Entries, e => e.Line.Contains("filter", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tail_SeesOnlyItsOwnTenantsEntries()
    {
        var tenantA = "tail-a-" + Guid.NewGuid().ToString("n")[..8];
        var tenantB = "tail-b-" + Guid.NewGuid().ToString("n")[..8];
        await using var tailA = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenantA, "{app=\"shared\"}");
        await using var tailB = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenantB, "{app=\"shared\"}");

        await PushUntilTailedAsync(tailA, tenantA, "{\"app\":\"shared\"}", "secret of a");
        await PushUntilTailedAsync(tailB, tenantB, "{\"app\":\"shared\"}", "secret of b");
        await PushAsync(tenantA, "{\"app\":\"shared\"}", (NowNs, "secret of a, last"));
        await tailA.ReceiveUntilAsync(t => t.Has("secret of a, last"), "tenant a's last line");
        await PushAsync(tenantB, "{\"app\":\"shared\"}", (NowNs, "secret of b, last"));
        await tailB.ReceiveUntilAsync(t => t.Has("secret of b, last"), "tenant b's last line");

        Assert.All(tailA.Entries, e => Assert.StartsWith("secret of a", e.Line, StringComparison.Ordinal));
        Assert.All(tailB.Entries, e => Assert.StartsWith("secret of b", e.Line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tail_OverTheTenantsConcurrentLimit_IsClosedWith1011AndLokisText_AndAdmittedAfterOneLeaves()
    {
        var tenant = "tail-limit-" + Guid.NewGuid().ToString("n")[..8];
        var first = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenant, "{app=\"x\"}");
        await using var second = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenant, "{app=\"x\"}");
        // Both are subscribed once each has answered: a frame for a pushed line proves it.
        await PushUntilTailedAsync(first, tenant, "{\"app\":\"x\"}", "probe");
        await second.ReceiveUntilAsync(t => t.Entries.Count > 0, "the second tail's first entry");

        await using (var third = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenant, "{app=\"x\"}"))
        {
            await third.ReceiveUntilAsync(t => t.CloseStatus is not null, "the refusal");
            Assert.Equal(WebSocketCloseStatus.InternalServerError, third.CloseStatus);
            Assert.Equal("max concurrent tail requests limit exceeded, count > limit (3 > 2)", third.CloseDescription);
        }

        await first.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var again = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, tenant, "{app=\"x\"}");
            // Admitted: the replay of the probe lines arrives; refused: a close frame. The server unsubscribes the first
            // tail asynchronously, so a refusal may come first.
            await again.ReceiveUntilAsync(t => t.Messages > 0 || t.CloseStatus is not null, "an answer to the new tail");
            if (again.CloseStatus is null)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still refused: {again.CloseDescription}");
        }
    }

    [Fact]
    public async Task Tail_MetricQuery_IsClosedWith1011()
    {
        await using var tail = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, "tail-metric", "count_over_time({app=\"x\"}[1m])");
        await tail.ReceiveUntilAsync(t => t.CloseStatus is not null, "the close");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, tail.CloseStatus);
        Assert.Equal("only log selector is supported", tail.CloseDescription);
    }

    [Fact]
    public async Task Tail_StartBeyondMaxQueryLength_IsClosedWith1011AndLokisText()
    {
        await using var tail = await TailClient.ConnectAsync(Loki.Client.BaseAddress!, "tail-old-start", "{app=\"x\"}", "&start=1000000000");
        await tail.ReceiveUntilAsync(t => t.CloseStatus is not null, "the close");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, tail.CloseStatus);
        Assert.StartsWith("the query time range exceeds the limit (query length: ", tail.CloseDescription, StringComparison.Ordinal);
        Assert.EndsWith(", limit: 30d1h)", tail.CloseDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tenant-x", "query={app=\"x\"}&delay_for=6", 400, "delay_for can't be greater than 5")]
    [InlineData("tenant-x", "query={app=\"x\"}&limit=0", 400, "limit must be a positive value")]
    [InlineData("", "query={app=\"x\"}", 401, "no org id")]
    [InlineData("tenant-x", "query={app=\"x\"}", 400, "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header")]
    public async Task Tail_BadRequest_IsAPlainHttpError(string tenant, string parameters, int status, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/loki/api/v1/tail?" + parameters.Replace("{", "%7B").Replace("}", "%7D").Replace("\"", "%22"));
        if (tenant.Length > 0)
        {
            request.Headers.Add("X-Scope-OrgID", tenant);
        }
        using var response = await Loki.Client.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(body, (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Tail_UnparsableQuery_IsA400WithTheParseError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/loki/api/v1/tail?query=" + Uri.EscapeDataString("{app=\"x\""));
        request.Headers.Add("X-Scope-OrgID", "tenant-x");
        using var response = await Loki.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("parse error", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
