using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>One server with tenancy on, shared by the legacy-path and tenant-limits tests.</summary>
public sealed class LegacyServerFixture : IAsyncLifetime
{
    public LokiTestServer Server { get; private set; } = null!;

    public long PushedAtNs { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await LokiTestServer.StartAsync("""
            auth_enabled: true
            limits_config:
              max_query_lookback: 30d
            """);
        PushedAtNs = TestClock.NowNs;
        var body = LokiTestServer.JsonPush("{\"app\":\"legacy\"}", [(PushedAtNs - 2_000_000_000, "level=info msg=alpha"), (PushedAtNs - 1_000_000_000, "level=error msg=beta")]);
        var (status, text, _) = await Server.SendAsync(HttpMethod.Post, "/api/prom/push", body, tenant: "old-client");
        Assert.True(status == HttpStatusCode.NoContent, text);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Loki's legacy <c>/api/prom/*</c> paths, the tenant-limits paths and <c>index/shards</c>, with Loki's shapes and tenancy.</summary>
public sealed class LegacyPathsTests(LegacyServerFixture fixture) : IClassFixture<LegacyServerFixture>
{
    private LokiTestServer Server => fixture.Server;
    private long Start => fixture.PushedAtNs - 60_000_000_000;
    private long End => fixture.PushedAtNs + 1_000_000_000;

    [Fact]
    public async Task Legacy_query_answers_log_queries_in_the_legacy_shape_and_refuses_metric_queries()
    {
        var (status, body, _) = await Server.SendAsync(HttpMethod.Get,
            $"/api/prom/query?query={Uri.EscapeDataString("{app=\"legacy\"}")}&start={Start}&end={End}&direction=FORWARD", tenant: "old-client");
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(["streams", "stats"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        // One stream per label set (structured metadata such as detected_level is part of it, as in Loki).
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.All(streams, st => Assert.StartsWith("{app=\"legacy\", detected_level=", st.GetProperty("labels").GetString(), StringComparison.Ordinal));
        var entries = streams.SelectMany(st => st.GetProperty("entries").EnumerateArray()).OrderBy(e => e.GetProperty("ts").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(["level=info msg=alpha", "level=error msg=beta"], entries.Select(e => e.GetProperty("line").GetString()));
        var ts = DateTimeOffset.Parse(entries[0].GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((fixture.PushedAtNs - 2_000_000_000) / 1_000_000, ts.ToUnixTimeMilliseconds());
        Assert.EndsWith("Z", entries[0].GetProperty("ts").GetString(), StringComparison.Ordinal);

        // The legacy regexp parameter is a |~ filter.
        var (_, filtered, _) = await Server.SendAsync(HttpMethod.Get,
            $"/api/prom/query?query={Uri.EscapeDataString("{app=\"legacy\"}")}&regexp={Uri.EscapeDataString("err.r")}&start={Start}&end={End}", tenant: "old-client");
        using var filteredDoc = JsonDocument.Parse(filtered);
        Assert.Equal(["level=error msg=beta"], filteredDoc.RootElement.GetProperty("streams")[0].GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("line").GetString()));

        var (metricStatus, metric, _) = await Server.SendAsync(HttpMethod.Get,
            $"/api/prom/query?query={Uri.EscapeDataString("sum(count_over_time({app=\"legacy\"}[1m]))")}&start={End}&end={End}&step=1", tenant: "old-client");
        // Loki's ParseRangeQuery refuses metric queries on the legacy path.
        Assert.Equal(HttpStatusCode.BadRequest, metricStatus);
        Assert.Equal("legacy endpoints only support streams result type", metric.Trim());
    }

    [Fact]
    public async Task Legacy_label_paths_answer_values_and_series_answers_as_v1()
    {
        var (_, labels, _) = await Server.SendAsync(HttpMethod.Get, $"/api/prom/label?start={Start}&end={End}", tenant: "old-client");
        using var labelsDoc = JsonDocument.Parse(labels);
        Assert.Equal(["values"], labelsDoc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("app", labelsDoc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()));

        var (_, values, _) = await Server.SendAsync(HttpMethod.Get, $"/api/prom/label/app/values?start={Start}&end={End}", tenant: "old-client");
        Assert.Equal("{\"values\":[\"legacy\"]}", values);

        var (_, series, _) = await Server.SendAsync(HttpMethod.Get, $"/api/prom/series?match[]={Uri.EscapeDataString("{app=\"legacy\"}")}&start={Start}&end={End}", tenant: "old-client");
        using var seriesDoc = JsonDocument.Parse(series);
        Assert.Equal("success", seriesDoc.RootElement.GetProperty("status").GetString());
        Assert.Equal("legacy", seriesDoc.RootElement.GetProperty("data")[0].GetProperty("app").GetString());
    }

    [Theory]
    [InlineData("/api/prom/query?query=%7Bapp%3D%22legacy%22%7D")]
    [InlineData("/api/prom/label")]
    [InlineData("/api/prom/label/app/values")]
    [InlineData("/api/prom/series?match[]=%7Bapp%3D%22legacy%22%7D")]
    [InlineData("/loki/api/v1/drilldown-limits")]
    [InlineData("/config/tenant/v1/limits")]
    [InlineData("/loki/api/v1/index/shards?query=%7Bapp%3D%22legacy%22%7D&targetBytesPerShard=600MB")]
    public async Task Paths_need_an_org_id_and_see_only_their_tenant(string url)
    {
        var (status, body, _) = await Server.SendAsync(HttpMethod.Get, url);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("no org id", body.Trim());
        var (other, otherBody, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "someone-else");
        Assert.True(other == HttpStatusCode.OK, otherBody);
        Assert.DoesNotContain("legacy\"", otherBody.Replace("\\\"", "\"", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legacy_tail_sends_the_legacy_message_shape()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Scope-OrgID", "old-client");
        var uri = new Uri(Server.Client.BaseAddress!, $"/api/prom/tail?query={Uri.EscapeDataString("{app=\"legacy\"}")}&start={Start}");
        await socket.ConnectAsync(new UriBuilder(uri) { Scheme = "ws" }.Uri, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, received.Count));
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.All(streams, st => Assert.StartsWith("{app=\"legacy\"", st.GetProperty("labels").GetString(), StringComparison.Ordinal));
        var entries = streams.SelectMany(st => st.GetProperty("entries").EnumerateArray()).ToList();
        Assert.Equal(["level=info msg=alpha", "level=error msg=beta"], entries.Select(e => e.GetProperty("line").GetString()));
        Assert.All(entries, e => Assert.EndsWith("Z", e.GetProperty("ts").GetString(), StringComparison.Ordinal));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
    }

    [Fact]
    public async Task Drilldown_limits_and_tenant_limits_publish_the_tenants_limits()
    {
        var (status, body, response) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/drilldown-limits", tenant: "old-client");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(["limits", "pattern_ingester_enabled", "version"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        var limits = doc.RootElement.GetProperty("limits");
        Assert.Equal("30d1h", limits.GetProperty("max_query_length").GetString());
        Assert.Equal("30d", limits.GetProperty("max_query_lookback").GetString());
        Assert.Equal("1m", limits.GetProperty("query_timeout").GetString());
        Assert.Equal(500, limits.GetProperty("max_query_series").GetInt32());
        Assert.Equal(5000, limits.GetProperty("max_entries_limit_per_query").GetInt32());
        Assert.True(limits.GetProperty("discover_log_levels").GetBoolean());

        var (yamlStatus, yaml, yamlResponse) = await Server.SendAsync(HttpMethod.Get, "/config/tenant/v1/limits", tenant: "old-client");
        Assert.True(yamlStatus == HttpStatusCode.OK, yaml);
        Assert.Equal("text/plain", yamlResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max_query_length: 30d1h\n", yaml, StringComparison.Ordinal);
        Assert.Contains("max_entries_limit_per_query: 5000\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_shards_covers_the_fingerprint_space_with_the_selectors_stats()
    {
        var (status, body, _) = await Server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/index/shards?query={Uri.EscapeDataString("sum(rate({app=\"legacy\"}[1m]))")}&start={Start}&end={End}&targetBytesPerShard=600MB", tenant: "old-client");
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var shard = Assert.Single(doc.RootElement.GetProperty("shards").EnumerateArray());
        Assert.Equal(0UL, shard.GetProperty("bounds").GetProperty("min").GetUInt64());
        Assert.Equal(ulong.MaxValue, shard.GetProperty("bounds").GetProperty("max").GetUInt64());
        Assert.Equal(1, shard.GetProperty("stats").GetProperty("streams").GetInt64());
        Assert.Equal(2, shard.GetProperty("stats").GetProperty("entries").GetInt64());
        Assert.True(doc.RootElement.TryGetProperty("statistics", out _));

        var (bad, badBody, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/index/shards?query=%7Bapp%3D%22legacy%22%7D&targetBytesPerShard=lots", tenant: "old-client");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("targetBytesPerShard", badBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_stats_carry_lokis_full_key_set()
    {
        var (_, body, _) = await Server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"legacy\"}")}&start={Start}&end={End}", tenant: "old-client");
        using var doc = JsonDocument.Parse(body);
        var stats = doc.RootElement.GetProperty("data").GetProperty("stats");
        Assert.Equal(["summary", "querier", "ingester", "cache", "index"], stats.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["chunk", "index", "result", "statsResult", "volumeResult", "seriesResult", "labelResult", "instantMetricResult", "logResult", "taskResult"],
            stats.GetProperty("cache").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["entriesFound", "entriesRequested", "entriesStored", "bytesReceived", "bytesSent", "requests", "downloadTime", "queryLengthServed"],
            stats.GetProperty("cache").GetProperty("result").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["totalChunks", "postFilterChunks", "shardsDuration", "usedBloomFilters", "totalStreams", "chunkRefsLookupTime", "bloomFilterTime"],
            stats.GetProperty("index").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["store", "querierExecTime"], stats.GetProperty("querier").EnumerateObject().Select(p => p.Name));
        var store = stats.GetProperty("querier").GetProperty("store");
        Assert.Equal(["totalChunksRef", "totalChunksDownloaded", "chunksDownloadTime", "queryReferencedStructuredMetadata", "queryUsedV2Engine", "chunk",
            "chunkRefsFetchTime", "congestionControlLatency", "pipelineWrapperFilteredLines", "dataobj"], store.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, stats.GetProperty("summary").GetProperty("totalEntriesReturned").GetInt64());
    }
}
