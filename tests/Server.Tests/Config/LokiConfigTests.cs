using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>Loki's own example configurations (tests/Server.Tests/Config/LokiConfigs) load unchanged, and the local ones start and answer queries.</summary>
public sealed class LokiConfigTests
{
    private static string ConfigDir => Path.Combine(AppContext.BaseDirectory, "Config", "LokiConfigs");

    public static IEnumerable<object[]> AllExamples() =>
        Directory.GetFiles(ConfigDir, "*.yaml").Select(f => new object[] { Path.GetFileName(f) }).OrderBy(f => (string)f[0], StringComparer.Ordinal);

    /// <summary>Examples whose storage is the local filesystem (or no storage section at all).</summary>
    public static IEnumerable<object[]> LocalExamples() =>
        new[] { "loki-local-config.yaml", "1-Local-Configuration-Example.yaml", "loki-docker-config.yaml", "loki-local-multi-tenant-config.yaml", "recommended-single-binary.yaml", "6-Compactor-Snippet.yaml" }
            .Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(AllExamples))]
    public void Example_loads_with_at_most_one_warning_per_unknown_key(string file)
    {
        var settings = LokiTestServer.LoadFile(Path.Combine(ConfigDir, file), Path.GetTempPath(), 3100);
        Assert.Equal(settings.Warnings.Distinct().Count(), settings.Warnings.Count);
        Assert.All(settings.Warnings, w => Assert.Matches("^unknown or unsupported config key '[a-z0-9_.]+' is ignored$", w));
        // The blocks whose keys change results are read, never reported as unknown.
        Assert.DoesNotContain(settings.Warnings, w => w.Contains("'query_range.", StringComparison.Ordinal) || w.Contains("'frontend.", StringComparison.Ordinal)
            || w.Contains("split_instant_metric_queries_by_interval", StringComparison.Ordinal));
    }

    [Fact]
    public void S3_url_form_sets_credentials_endpoint_and_bucket()
    {
        var settings = LokiTestServer.LoadFile(Path.Combine(ConfigDir, "2-S3-Cluster-Example.yaml"), Path.GetTempPath(), 3100);
        var s3 = Assert.IsType<Orleans.Loki.Storage.S3Settings>(settings.S3);
        Assert.Equal(("access_key", "secret_access_key", "custom_endpoint", "bucket_name", true),
            (s3.AccessKeyId, s3.SecretAccessKey, s3.Region, s3.BucketName, s3.ForcePathStyle));
    }

    [Fact]
    public void Local_config_reads_the_results_cache_and_frontend_and_warns_once_for_each_unknown_block()
    {
        var settings = LokiTestServer.LoadFile(Path.Combine(ConfigDir, "loki-local-config.yaml"), Path.GetTempPath(), 3100);
        Assert.Equal(100L << 20, settings.Gateway.ResultsCache.MaxBytes);
        Assert.False(settings.Gateway.AuthEnabled);
        Assert.Equal(
            ["common.instance_addr", "common.ring", "common.storage", "pattern_ingester", "schema_config", "server.grpc_server_max_concurrent_streams"],
            settings.Warnings.Select(w => w.Split('\'')[1]).Order(StringComparer.Ordinal).Where(k => !k.StartsWith("ruler.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Docker_ha_config_applies_its_limits_query_range_and_ingester_values()
    {
        var settings = LokiTestServer.LoadFile(Path.Combine(ConfigDir, "docker-ha-loki.yaml"), Path.GetTempPath(), 3100);
        Assert.True(settings.Gateway.AuthEnabled);
        Assert.Equal(TimeSpan.FromMinutes(15), settings.Gateway.Query.SplitQueriesByInterval);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.Gateway.Limits.RejectOldSamplesMaxAge);
        Assert.Equal(100, settings.Gateway.Ingestion.IngestionRateMb);
        Assert.Equal(20, settings.Gateway.Ingestion.IngestionBurstSizeMb);
        Assert.True(settings.Gateway.ResultsCache.Enabled);
        Assert.True(settings.Gateway.Frontend.AlignQueriesWithStep);
        Assert.Equal(2048, settings.Gateway.Frontend.MaxOutstandingPerTenant);
        // 1.572864e+06: YAML's float spelling of Loki's integer key.
        Assert.Equal(1_572_864, settings.Ingester.ChunkTargetSize);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Ingester.MaxChunkAge);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Ingester.ChunkIdlePeriod);
    }

    [Theory]
    [MemberData(nameof(LocalExamples))]
    public async Task Local_example_starts_and_answers_what_was_pushed(string file)
    {
        await using var server = await LokiTestServer.StartFromFileAsync(Path.Combine(ConfigDir, file));
        var now = TestClock.NowNs;
        var tenant = file.Contains("multi-tenant", StringComparison.Ordinal) ? "team-a" : null;
        var (status, body, _) = await server.PushAsync("{\"app\":\"example\"}", [(now - 2_000_000_000, "first"), (now - 1_000_000_000, "second")], tenant);
        Assert.True(status == HttpStatusCode.NoContent, $"{(int)status}: {body}");
        Assert.Equal(["first", "second"], await server.QueryLinesAsync("{app=\"example\"}", now - 60_000_000_000, now + 1_000_000_000, tenant));
    }

    [Fact]
    public async Task Recommended_single_binary_config_with_zeros_answers_log_and_metric_queries_exactly()
    {
        await using var server = await LokiTestServer.StartFromFileAsync(Path.Combine(ConfigDir, "recommended-single-binary.yaml"));
        var now = TestClock.NowNs / 1_000_000_000 * 1_000_000_000;
        var entries = Enumerable.Range(0, 90).Select(i => (now - 90_000_000_000L + (i * 1_000_000_000L), $"level=info n={i}")).ToList();
        var (status, body, _) = await server.PushAsync("{\"app\":\"rec\"}", entries);
        Assert.True(status == HttpStatusCode.NoContent, $"{(int)status}: {body}");

        // Two minutes back (max_query_length 0 = no limit, query_ingesters_within 0 = unflushed data is always read).
        var lines = await server.QueryLinesAsync("{app=\"rec\"}", now - 120_000_000_000, now + 1_000_000_000);
        Assert.Equal(entries.Select(e => e.Item2), lines);

        // 40 days back: no length limit.
        var (longStatus, longBody, _) = await server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"rec\"}")}&start={now - (40L * 86_400_000_000_000)}&end={now + 1_000_000_000}&limit=5");
        Assert.True(longStatus == HttpStatusCode.OK, longBody);

        // Instant metric query: every entry of the last 5 minutes counted once.
        var (instantStatus, instant, _) = await server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/query?query={Uri.EscapeDataString("sum(count_over_time({app=\"rec\"}[5m]))")}&time={now + 1_000_000_000}");
        Assert.True(instantStatus == HttpStatusCode.OK, instant);
        using var doc = JsonDocument.Parse(instant);
        Assert.Equal("90", doc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());

        // Range metric query without splitting (split_queries_by_interval 0): per-30s counts.
        var (rangeStatus, range, _) = await server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/query_range?query={Uri.EscapeDataString("count_over_time({app=\"rec\"}[30s])")}&start={now - 60_000_000_000}&end={now}&step=30");
        Assert.True(rangeStatus == HttpStatusCode.OK, range);
        using var rangeDoc = JsonDocument.Parse(range);
        var values = rangeDoc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray()
            .Select(v => v[1].GetString()).ToList();
        Assert.Equal(["30", "30", "29"], values);
    }
}
