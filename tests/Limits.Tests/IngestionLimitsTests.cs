using System.Net;

namespace Orleans.Loki.Limits.Tests;

/// <summary>One server with tiny limits and a runtime overrides file, shared by the ingestion-limit tests.</summary>
public sealed class LimitedServerFixture : IAsyncLifetime
{
    public string RuntimeFile { get; } = Path.Combine(Path.GetTempPath(), "loki-overrides-" + Guid.NewGuid().ToString("n") + ".yaml");

    public const string Overrides = """
        overrides:
          stream-rate:
            ingestion_rate_mb: 100
            ingestion_burst_size_mb: 100
            per_stream_rate_limit: 1000
            per_stream_rate_limit_burst: 3000
          streams:
            ingestion_rate_mb: 100
            ingestion_burst_size_mb: 100
            max_global_streams_per_user: 2
          small-queries:
            max_entries_limit_per_query: 10
            max_query_length: 1h
        """;

    public LokiServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(RuntimeFile, Overrides);
        Server = await LokiServer.StartAsync($"""
            auth_enabled: true
            limits_config:
              ingestion_rate_mb: 0.001
              ingestion_burst_size_mb: 0.02
            runtime_config:
              file: {RuntimeFile}
              period: 100ms
            """);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        File.Delete(RuntimeFile);
    }
}

/// <summary>Loki's ingestion limits over HTTP: texts, status codes, discard counters, and what is stored.</summary>
public sealed class IngestionLimitsTests(LimitedServerFixture fixture) : IClassFixture<LimitedServerFixture>
{
    private LokiServer Server => fixture.Server;

    [Fact]
    public async Task Push_OverTheTenantRate_Is429WithLokisText_AndNothingOfItIsStored()
    {
        var now = LokiServer.NowNs;
        var line = new string('r', 15_000);
        var (first, firstBody, _) = await Server.PushAsync("{\"app\":\"rate\"}", [(now, line)], tenant: "rate");
        Assert.True(first == HttpStatusCode.NoContent, firstBody);

        var (second, body, _) = await Server.PushAsync("{\"app\":\"rate\"}", [(now + 1, line)], tenant: "rate");
        Assert.Equal(HttpStatusCode.TooManyRequests, second);
        Assert.Equal(
            "Ingestion rate limit exceeded for user rate (limit: 1048 bytes/sec) while attempting to ingest '1' lines totaling '15000' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
            body);

        Assert.Single(await Server.QueryLinesAsync("{app=\"rate\"}", now - 1_000_000_000, now + 1_000_000_000, tenant: "rate"));
        var metrics = await Server.Client.GetStringAsync("/metrics");
        Assert.Contains("loki_discarded_samples_total{reason=\"rate_limited\",tenant=\"rate\"} 1", metrics);
        Assert.Contains("loki_discarded_bytes_total{reason=\"rate_limited\",tenant=\"rate\"} 15000", metrics);
    }

    [Fact]
    public async Task Push_OverThePerStreamRate_KeepsTheEntriesWithinTheBurst_AndAnswers429()
    {
        var now = LokiServer.NowNs;
        var entries = Enumerable.Range(0, 5).Select(i => (now + i, $"{i}" + new string('s', 999))).ToList();
        var (status, body, _) = await Server.PushAsync("{\"app\":\"hot\"}", entries, tenant: "stream-rate");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("ignored, reason: 'Per stream rate limit exceeded (limit: 1.0 kB/sec) while attempting to ingest for stream '{app=\"hot\", service_name=\"hot\"}' totaling 1.0 kB, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased',", body);
        Assert.EndsWith("user 'stream-rate', total ignored: 2 out of 5 for stream: {app=\"hot\", service_name=\"hot\"}", body);

        var stored = await Server.QueryLinesAsync("{app=\"hot\"}", now - 1_000_000_000, now + 1_000_000_000, tenant: "stream-rate");
        Assert.Equal(entries.Take(3).Select(e => e.Item2), stored);
        Assert.Contains("loki_discarded_samples_total{reason=\"per_stream_rate_limit\",tenant=\"stream-rate\"} 2", await Server.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Push_NewStreamOverTheActiveStreamLimit_Is429_ExistingStreamsKeepWorking()
    {
        var now = LokiServer.NowNs;
        foreach (var app in new[] { "one", "two" })
        {
            var (ok, okBody, _) = await Server.PushAsync($"{{\"app\":\"{app}\"}}", [(now, app)], tenant: "streams");
            Assert.True(ok == HttpStatusCode.NoContent, okBody);
        }

        var (status, body, _) = await Server.PushAsync("{\"app\":\"three\"}", [(now, "three"), (now + 1, "three again")], tenant: "streams");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.StartsWith(
            "Maximum active stream limit exceeded when trying to create stream {app=\"three\", service_name=\"three\"}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: 'streams'",
            body);

        var (again, againBody, _) = await Server.PushAsync("{\"app\":\"one\"}", [(now + 5, "one more")], tenant: "streams");
        Assert.True(again == HttpStatusCode.NoContent, againBody);
        Assert.Empty(await Server.QueryLinesAsync("{app=\"three\"}", now - 1_000_000_000, now + 1_000_000_000, tenant: "streams"));
        Assert.Contains("loki_discarded_samples_total{reason=\"stream_limit\",tenant=\"streams\"} 2", await Server.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task RuntimeOverride_WrittenWhileRunning_RaisesTheTenantsLimitWithoutRestart()
    {
        var now = LokiServer.NowNs;
        var line = new string('b', 30_000);
        var (before, _, _) = await Server.PushAsync("{\"app\":\"later\"}", [(now, line)], tenant: "later");
        Assert.Equal(HttpStatusCode.TooManyRequests, before);

        await File.WriteAllTextAsync(fixture.RuntimeFile, LimitedServerFixture.Overrides + """

              later:
                ingestion_rate_mb: 1
                ingestion_burst_size_mb: 1
            """);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            (status, _, _) = await Server.PushAsync("{\"app\":\"later\"}", [(now, line)], tenant: "later");
        }
        while (status == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal([line], await Server.QueryLinesAsync("{app=\"later\"}", now - 1_000_000_000, now + 1_000_000_000, tenant: "later"));
    }

    [Fact]
    public async Task QueryLimitOverrides_ApplyToTheirTenantOnly()
    {
        var now = LokiServer.NowNs;
        string Url(long rangeNs, int limit) => $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"q\"}")}&start={now - rangeNs}&end={now}&limit={limit}";
        var (limited, body, _) = await Server.SendAsync(HttpMethod.Get, Url(1_800_000_000_000, 100), tenant: "small-queries");
        Assert.Equal(HttpStatusCode.BadRequest, limited);
        Assert.Equal("max entries limit per query exceeded, limit > max_entries_limit_per_query (100 > 10)", body);

        var (tooLong, tooLongBody, _) = await Server.SendAsync(HttpMethod.Get, Url(7_200_000_000_000, 10), tenant: "small-queries");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        Assert.Equal("the query time range exceeds the limit (query length: 2h0m0s, limit: 1h)", tooLongBody);

        var (other, otherBody, _) = await Server.SendAsync(HttpMethod.Get, Url(7_200_000_000_000, 100), tenant: "default-queries");
        Assert.True(other == HttpStatusCode.OK, otherBody);
    }

    private static async Task<bool> Delay()
    {
        // Polling interval while waiting for the runtime config period to pass.
        await Task.Delay(50);
        return true;
    }
}
