using System.Net;
using System.Text.Json;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Limits.Tests;

/// <summary>One server whose tenants each set one limit to Loki's 0 (or another edge value) in runtime overrides.</summary>
public sealed class ZeroLimitsFixture : IAsyncLifetime
{
    public string RuntimeFile { get; } = Path.Combine(Path.GetTempPath(), "loki-zero-overrides-" + Guid.NewGuid().ToString("n") + ".yaml");

    public const string Overrides = """
        overrides:
          no-length:
            max_query_length: 0
          no-entries:
            max_entries_limit_per_query: 0
          lookback:
            max_query_lookback: 1h
          disabled:
            max_query_parallelism: 0
            tsdb_max_query_parallelism: 0
          tsdb-parallelism:
            max_query_parallelism: 0
          zero-series:
            max_query_series: 0
          no-line-limit:
            max_line_size: 0
        """;

    public LokiServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(RuntimeFile, Overrides);
        Server = await LokiServer.StartAsync($"""
            auth_enabled: true
            limits_config:
              max_line_size: 100
            runtime_config:
              file: {RuntimeFile}
              period: 1h
            """);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        File.Delete(RuntimeFile);
    }
}

/// <summary>Loki's meaning of 0 for each query and ingestion limit, one row per key and edge value.</summary>
public sealed class ZeroLimitsTests(ZeroLimitsFixture fixture) : IClassFixture<ZeroLimitsFixture>
{
    private const long Second = 1_000_000_000;
    private const long Hour = 3600 * Second;
    private LokiServer Server => fixture.Server;

    public static IEnumerable<object[]> ParsedValues() => new (string Yaml, Func<LokiSettings, object> Read, object Expected)[]
    {
        ("limits_config: { max_query_length: 0 }", s => s.Gateway.Query.MaxQueryLength, TimeSpan.Zero),
        ("limits_config: { max_query_length: 0s }", s => s.Gateway.Query.MaxQueryLength, TimeSpan.Zero),
        ("limits_config: { max_query_length: 30d1h }", s => s.Gateway.Query.MaxQueryLength, TimeSpan.FromHours(721)),
        ("limits_config: { max_query_lookback: 0 }", s => s.Gateway.Query.LookbackStartNs(1000), long.MinValue),
        ("limits_config: { max_query_lookback: 1h }", s => s.Gateway.Query.LookbackStartNs(2 * Hour), Hour),
        ("querier: { query_ingesters_within: 0 }", s => s.Ingester.IngesterWindowStartNs(5 * Hour), long.MinValue),
        ("querier: { query_ingesters_within: 3h }", s => s.Ingester.IngesterWindowStartNs(5 * Hour), 2 * Hour),
        ("limits_config: { split_queries_by_interval: 0 }", s => s.Gateway.Query.SplitQueriesByInterval, TimeSpan.Zero),
        ("limits_config: { split_instant_metric_queries_by_interval: 0 }", s => s.Gateway.Query.SplitInstantMetricQueriesByInterval, TimeSpan.Zero),
        ("limits_config: { max_query_series: 0 }", s => s.Gateway.Query.MaxQuerySeries, 0),
        ("limits_config: { max_entries_limit_per_query: 0 }", s => s.Gateway.Query.MaxEntriesLimitPerQuery, 0),
        ("limits_config: { max_query_parallelism: 0 }", s => s.Gateway.Query.EffectiveParallelism, 128),
        ("limits_config: { max_query_parallelism: 0, tsdb_max_query_parallelism: 0 }", s => s.Gateway.Query.EffectiveParallelism, 0),
        ("limits_config: { max_query_parallelism: 8 }", s => s.Gateway.Query.EffectiveParallelism, 8),
        ("limits_config: { query_timeout: 5m }", s => s.Gateway.Query.QueryTimeout, TimeSpan.FromMinutes(5)),
        ("limits_config: { max_global_streams_per_user: 0 }", s => s.Gateway.Ingestion.MaxGlobalStreamsPerUser, 0),
        ("limits_config: { ingestion_rate_mb: 0 }", s => s.Gateway.Ingestion.IngestionRateBytes, 0.0),
        ("limits_config: { ingestion_rate_mb: 1.5 }", s => s.Gateway.Ingestion.IngestionRateBytes, 1.5 * 1024 * 1024),
        ("limits_config: { per_stream_rate_limit: 0 }", s => s.Gateway.Ingestion.PerStreamRateLimit, 0L),
        ("limits_config: { per_stream_rate_limit: 1MB }", s => s.Gateway.Ingestion.PerStreamRateLimit, 1L << 20),
        ("limits_config: { per_stream_rate_limit: 1mb }", s => s.Gateway.Ingestion.PerStreamRateLimit, 1L << 20),
        ("limits_config: { per_stream_rate_limit: 1MiB }", s => s.Gateway.Ingestion.PerStreamRateLimit, 1L << 20),
        ("limits_config: { per_stream_rate_limit: 3145728 }", s => s.Gateway.Ingestion.PerStreamRateLimit, 3L << 20),
        ("limits_config: { max_line_size: 0 }", s => s.Gateway.Limits.MaxLineSize, 0),
        ("limits_config: { max_line_size: 256kb }", s => s.Gateway.Limits.MaxLineSize, 256 * 1024),
        ("limits_config: { max_line_size: 1GB }", s => s.Gateway.Limits.MaxLineSize, 1 << 30),
        ("limits_config: { max_structured_metadata_size: 0 }", s => s.Gateway.Limits.MaxStructuredMetadataSize, 0),
        ("limits_config: { reject_old_samples_max_age: 0 }", s => s.Gateway.Limits.RejectOldSamplesMaxAge, TimeSpan.Zero),
        ("limits_config: { reject_old_samples_max_age: 1w }", s => s.Gateway.Limits.RejectOldSamplesMaxAge, TimeSpan.FromDays(7)),
        ("ingester: { max_chunk_age: 0 }", s => s.Ingester.MaxChunkAge, TimeSpan.Zero),
        ("ingester: { chunk_idle_period: 0 }", s => s.Ingester.ChunkIdlePeriod, TimeSpan.Zero),
        ("ingester: { chunk_target_size: 1.572864e+06 }", s => s.Ingester.ChunkTargetSize, 1_572_864),
    }.Select(r => new object[] { r.Yaml, r.Read, r.Expected });

    [Theory]
    [MemberData(nameof(ParsedValues))]
    public void Config_value_has_lokis_meaning(string yaml, Func<LokiSettings, object> read, object expected)
    {
        var settings = new LokiSettings();
        ConfigLoader.ApplyYaml(settings, yaml, "test");
        Assert.Equal(expected, read(settings));
        Assert.Empty(settings.Warnings);
    }

    [Theory]
    [InlineData("limits_config: { max_line_size: 12XB }", "limits_config.max_line_size")]
    [InlineData("limits_config: { per_stream_rate_limit: -1MB }", "limits_config.per_stream_rate_limit")]
    [InlineData("frontend: { encoding: xml }", "frontend.encoding")]
    [InlineData("query_range: { parallelise_shardable_queries: maybe }", "query_range.parallelise_shardable_queries")]
    public void Bad_value_names_the_key(string yaml, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyYaml(new LokiSettings(), yaml, "test"));
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_query_length_0_is_no_limit()
    {
        var now = LokiServer.NowNs;
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"z\"}")}&start={now - (60 * 24 * Hour)}&end={now}";
        var (ok, body, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "no-length");
        Assert.True(ok == HttpStatusCode.OK, body);
        // The default (721h) still applies to other tenants, in Loki's text (limit as a Prometheus duration).
        var (refused, text, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "default-limits");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("the query time range exceeds the limit (query length: 1440h0m0s, limit: 30d1h)", text);
    }

    [Fact]
    public async Task Max_entries_limit_per_query_0_is_no_limit()
    {
        var now = LokiServer.NowNs;
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"z\"}")}&start={now - Hour}&end={now}&limit=1000000";
        var (ok, body, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "no-entries");
        Assert.True(ok == HttpStatusCode.OK, body);
        var (refused, text, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "default-limits");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("max entries limit per query exceeded, limit > max_entries_limit_per_query (1000000 > 5000)", text);
    }

    [Fact]
    public async Task Max_query_lookback_cuts_the_range_and_answers_older_ranges_empty()
    {
        var now = LokiServer.NowNs;
        var (status, body, _) = await Server.PushAsync("{\"app\":\"lb\"}", [(now - (150 * 60 * Second), "old"), (now - Second, "new")], tenant: "lookback");
        Assert.True(status == HttpStatusCode.NoContent, body);
        Assert.Equal(["new"], await Server.QueryLinesAsync("{app=\"lb\"}", now - (3 * Hour), now + Second, "lookback"));
        Assert.Empty(await Server.QueryLinesAsync("{app=\"lb\"}", now - (3 * Hour), now - (2 * Hour), "lookback"));

        var (instantStatus, instant, _) = await Server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/query?query={Uri.EscapeDataString("count_over_time({app=\"lb\"}[1h])")}&time={now - (2 * Hour)}", tenant: "lookback");
        Assert.True(instantStatus == HttpStatusCode.OK, instant);
        using var doc = JsonDocument.Parse(instant);
        Assert.Equal("vector", doc.RootElement.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("data").GetProperty("result").GetArrayLength());

        var (_, labels, _) = await Server.SendAsync(HttpMethod.Get, $"/loki/api/v1/labels?start={now - (3 * Hour)}&end={now - (2 * Hour)}", tenant: "lookback");
        Assert.Equal("[]", JsonDocument.Parse(labels).RootElement.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Both_parallelism_limits_0_disable_querying_and_tsdb_parallelism_alone_is_enough()
    {
        var now = LokiServer.NowNs;
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"z\"}")}&start={now - Hour}&end={now}";
        var (refused, text, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "disabled");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Equal("querying is disabled, please contact your Loki operator", text);
        var (ok, body, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "tsdb-parallelism");
        Assert.True(ok == HttpStatusCode.OK, body);
    }

    [Fact]
    public async Task Max_query_series_0_refuses_an_instant_query_with_any_series_as_lokis_engine_does()
    {
        var now = LokiServer.NowNs;
        var (status, body, _) = await Server.PushAsync("{\"app\":\"series\"}", [(now - Second, "x")], tenant: "zero-series");
        Assert.True(status == HttpStatusCode.NoContent, body);
        var url = $"/loki/api/v1/query?query={Uri.EscapeDataString("count_over_time({app=\"series\"}[1m])")}&time={now}";
        var (refused, text, _) = await Server.SendAsync(HttpMethod.Get, url, tenant: "zero-series");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.StartsWith("maximum number of series (0) reached for a single query", text, StringComparison.Ordinal);
        var (empty, emptyBody, _) = await Server.SendAsync(HttpMethod.Get,
            $"/loki/api/v1/query?query={Uri.EscapeDataString("count_over_time({app=\"nothing\"}[1m])")}&time={now}", tenant: "zero-series");
        Assert.True(empty == HttpStatusCode.OK, emptyBody);
    }

    [Fact]
    public async Task Max_line_size_0_accepts_any_line()
    {
        var now = LokiServer.NowNs;
        var line = new string('x', 5000);
        var (status, body, _) = await Server.PushAsync("{\"app\":\"long\"}", [(now, line)], tenant: "no-line-limit");
        Assert.True(status == HttpStatusCode.NoContent, body);
        var (refused, _, _) = await Server.PushAsync("{\"app\":\"long\"}", [(now, line)], tenant: "default-limits");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
    }
}
