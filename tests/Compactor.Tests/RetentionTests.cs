using System.Net;

namespace Orleans.Loki.Compactor.Tests;

/// <summary>Retention: expired chunks leave queries, labels, series and stats, then the store after the delay.</summary>
public sealed class RetentionTests
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static string Config(string extra = "") => $"""
        compactor:
          retention_enabled: true
          retention_delete_delay: 1h
          compaction_interval: 24h
          cold_chunk_age: 1000h
        limits_config:
          retention_period: 2h
        {extra}
        """;

    [Fact]
    public Task Retention_OnTheFilesystem_RemovesExpiredDataFromQueriesIndexAndStore() => RetentionScenarioAsync(Config());

    [Fact]
    public Task Retention_OnAzurite_RemovesExpiredDataFromQueriesIndexAndStore() => RetentionScenarioAsync(Config($"""
        storage_config:
          azure:
            connection_string: "{Azurite}"
            container_name: ret{Guid.NewGuid():N}
        """));

    private static async Task RetentionScenarioAsync(string yaml)
    {
        // Tenant "other" keeps its data forever through a runtime override.
        await using var server = await CompactorServer.StartAsync(yaml, "overrides:\n  other:\n    retention_period: 0s\n");
        var oldTs = CompactorServer.HoursAgoNs(4);
        await server.PushAndFlushAsync("""{"app":"old"}""", [(oldTs, "old line 1"), (oldTs + 1000, "old line 2")]);
        await server.PushAndFlushAsync("""{"app":"new"}""", [(CompactorServer.HoursAgoNs(0.1), "new line")]);
        await server.PushAndFlushAsync("""{"app":"other"}""", [(oldTs, "other tenant line")], tenant: "other");
        var from = CompactorServer.HoursAgoNs(6);
        var to = CompactorServer.NowNs + 1;

        Assert.Equal(["old line 1", "old line 2"], await server.LinesAsync("""{app="old"}""", from, to));
        var oldChunks = await server.KeysAsync("fake/chunks/");
        Assert.Equal(2, oldChunks.Count);

        var first = await server.Compactor.RunOnceAsync();
        Assert.Equal(1, first.ChunksMarked);
        Assert.Equal(0, first.ChunksDeleted);

        // Gone from every read path at once ...
        Assert.Empty(await server.LinesAsync("""{app="old"}""", from, to));
        Assert.Equal(["new line"], await server.LinesAsync("""{app="new"}""", from, to));
        var values = await server.GetJsonAsync($"/loki/api/v1/label/app/values?start={from}&end={to}");
        Assert.Equal(["new"], values.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
        var series = await server.GetJsonAsync($"/loki/api/v1/series?match[]={Uri.EscapeDataString("{app=~\".+\"}")}&start={from}&end={to}");
        Assert.Equal(1, series.GetProperty("data").GetArrayLength());
        var stats = await server.GetJsonAsync($"/loki/api/v1/index/stats?query={Uri.EscapeDataString("{app=\"old\"}")}&start={from}&end={to}");
        Assert.Equal(0, stats.GetProperty("entries").GetInt64());
        Assert.Equal(0, stats.GetProperty("chunks").GetInt64());
        // ... but the object stays until the delay has passed (queriers may still hold the old index).
        Assert.Equal(2, (await server.KeysAsync("fake/chunks/")).Count);
        Assert.Single(await server.KeysAsync("compactor/markers/"));

        server.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var second = await server.Compactor.RunOnceAsync();
        Assert.Equal(1, second.ChunksDeleted);
        var left = await server.KeysAsync("fake/chunks/");
        Assert.Single(left);
        Assert.DoesNotContain(left, k => oldChunks.Except(left).Contains(k));
        Assert.Empty(await server.KeysAsync("compactor/markers/"));
        Assert.Equal(["new line"], await server.LinesAsync("""{app=~".+"}""", from, to));

        var metrics = (await server.SendAsync(HttpMethod.Get, "/metrics")).Body;
        Assert.Matches(@"(?m)^loki_compactor_deleted_chunks_total [1-9]", metrics);
        Assert.Matches(@"(?m)^loki_compactor_runs_total\{status=""success""\} [1-9]", metrics);
        Assert.Matches(@"(?m)^loki_compactor_last_successful_run_timestamp_seconds [1-9]", metrics);
        Assert.Matches(@"(?m)^loki_compactor_marked_chunks_total\{reason=""retention""\} [1-9]", metrics);

        // The other tenant's data is untouched.
        Assert.Equal(["other tenant line"], await server.LinesAsync("""{app="other"}""", from, to, tenant: "other"));
        Assert.Single(await server.KeysAsync("other/chunks/"));
        Assert.NotEmpty(await server.KeysAsync("other/index/"));
    }

    [Fact]
    public async Task RetentionStream_HighestPriorityWins_TiesGoToTheShorterPeriod_AndTenantOverridesReplaceTheList()
    {
        var runtime = """
            overrides:
              custom:
                retention_period: 0s
                retention_stream:
                  - selector: '{app="short"}'
                    priority: 1
                    period: 24h
            """;
        await using var server = await CompactorServer.StartAsync("""
            compactor:
              retention_enabled: true
              retention_delete_delay: 0s
              compaction_interval: 24h
              cold_chunk_age: 1000h
            limits_config:
              retention_period: 0s
              retention_stream:
                - selector: '{app=~".+"}'
                  priority: 1
                  period: 720h
                - selector: '{app="short"}'
                  priority: 2
                  period: 24h
                - selector: '{app="tie"}'
                  priority: 5
                  period: 48h
                - selector: '{app="tie"}'
                  priority: 5
                  period: 24h
            """, runtime);
        var ts = CompactorServer.HoursAgoNs(30);
        foreach (var app in new[] { "keep", "short", "tie" })
        {
            await server.PushAndFlushAsync($$"""{"app":"{{app}}"}""", [(ts, app + " line")]);
            await server.PushAndFlushAsync($$"""{"app":"{{app}}"}""", [(ts, app + " line")], tenant: "custom");
        }
        await server.PushAndFlushAsync("""{"app":"unmatched"}""", [(ts, "unmatched line")], tenant: "custom");

        var result = await server.Compactor.RunOnceAsync();

        var from = CompactorServer.HoursAgoNs(40);
        var to = CompactorServer.NowNs;
        // Global list: keep (720h) stays; short (priority 2, 24h) and tie (equal priority, shorter 24h) expire.
        Assert.Equal(["keep line"], await server.LinesAsync("""{app=~".+"}""", from, to));
        // The tenant's list replaces the global one: only {app="short"} has a rule; retention_period 0 keeps the rest.
        Assert.Equal(["keep line", "tie line", "unmatched line"], (await server.LinesAsync("""{app=~".+"}""", from, to, "custom")).Order());
        Assert.Equal(3, result.ChunksMarked);
        Assert.Equal(3, result.ChunksDeleted);
        Assert.Single(await server.KeysAsync("fake/chunks/"));
        Assert.Equal(3, (await server.KeysAsync("custom/chunks/")).Count);
    }

    [Fact]
    public async Task Retention_RemovesEmptyIndexFilesAndTheLabelsObjectsOfStreamsWithoutData()
    {
        await using var server = await CompactorServer.StartAsync("""
            compactor:
              retention_enabled: true
              retention_delete_delay: 0s
              compaction_interval: 24h
              cold_chunk_age: 1000h
            limits_config:
              retention_period: 1h
            """);
        await server.PushAndFlushAsync("""{"app":"gone"}""", [(CompactorServer.HoursAgoNs(3), "a line")]);
        Assert.NotEmpty(await server.KeysAsync("fake/index/"));

        var result = await server.Compactor.RunOnceAsync();

        Assert.Equal(1, result.SeriesRemoved);
        Assert.True(result.IndexFilesRemoved >= 1);
        Assert.Empty(await server.KeysAsync("fake/"));
        Assert.Empty(await server.KeysAsync("wal/fake/"));
        Assert.Empty(Directory.Exists(Path.Combine(server.DataDir, "data", "fake")) ? Directory.GetFileSystemEntries(Path.Combine(server.DataDir, "data", "fake")) : []);
    }

    [Fact]
    public async Task ApplyRetentionInterval_AppliesRetentionOnlyThatOften_ByTheCompactorsClock()
    {
        await using var server = await CompactorServer.StartAsync("""
            compactor:
              retention_enabled: true
              retention_delete_delay: 0s
              compaction_interval: 1h
              apply_retention_interval: 3h
              cold_chunk_age: 1000h
            limits_config:
              retention_period: 2h
            """);
        await server.PushAndFlushAsync("""{"app":"ageing"}""", [(CompactorServer.HoursAgoNs(1), "ageing line")]);
        var from = CompactorServer.HoursAgoNs(4);
        var to = CompactorServer.NowNs + 1;

        // The first run applies retention (nothing has expired yet) and starts the interval.
        Assert.Equal(0, (await server.Compactor.RunOnceAsync()).ChunksMarked);
        server.Clock.Advance(TimeSpan.FromHours(1.5));
        // The line is now 2.5h old, past the period, but retention is not due for another 1.5h: runs only sweep.
        Assert.Equal(0, (await server.Compactor.RunOnceAsync()).ChunksMarked);
        server.Clock.Advance(TimeSpan.FromHours(0.5));
        Assert.Equal(0, (await server.Compactor.RunOnceAsync()).ChunksMarked);
        Assert.Equal(["ageing line"], await server.LinesAsync("""{app="ageing"}""", from, to));
        Assert.Single(await server.KeysAsync("fake/chunks/"));

        server.Clock.Advance(TimeSpan.FromHours(1));
        var due = await server.Compactor.RunOnceAsync();
        Assert.Equal(1, due.ChunksMarked);
        Assert.Equal(1, due.ChunksDeleted);
        Assert.Empty(await server.LinesAsync("""{app="ageing"}""", from, to));
        Assert.Empty(await server.KeysAsync("fake/chunks/"));
        // The next run is again inside the interval.
        server.Clock.Advance(TimeSpan.FromHours(1));
        await server.PushAndFlushAsync("""{"app":"later"}""", [(CompactorServer.HoursAgoNs(5), "old on arrival")]);
        Assert.Equal(0, (await server.Compactor.RunOnceAsync()).ChunksMarked);
        Assert.Single(await server.KeysAsync("fake/chunks/"));
    }

    [Theory]
    [InlineData("retention_stream:\n    - selector: '{app=\"x\"}'\n      priority: 1\n      period: 12h", "retention period must be >= 24h was 12h0m0s")]
    [InlineData("retention_stream:\n    - selector: 'app=x'\n      priority: 1\n      period: 24h", "invalid labels matchers: ")]
    [InlineData("deletion_mode: maybe", "unknown deletion mode: must be one of disabled|filter-only|filter-and-delete")]
    public async Task InvalidLimits_FailStartUpWithLokisText(string limits, string expected)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => CompactorServer.StartAsync($"limits_config:\n  {limits}\n"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutRetentionEnabled_TheDeleteApiIsNotServed()
    {
        await using var server = await CompactorServer.StartAsync("");
        var (status, _, _) = await server.SendAsync(HttpMethod.Get, "/loki/api/v1/delete");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}
