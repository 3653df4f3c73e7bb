using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Gateway;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Limits.Tests;

/// <summary>Loki's runtime config: per-tenant overrides over limits_config, re-read without a restart.</summary>
public sealed class RuntimeConfigTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "loki-runtime-" + Guid.NewGuid().ToString("n") + ".yaml");
    private readonly GatewayOptions _options;

    public RuntimeConfigTests()
    {
        _options = new GatewayOptions
        {
            Limits = new ValidationLimits { MaxLineSize = 1000 },
            Ingestion = new IngestionLimits { IngestionRateMb = 4 },
            RuntimeConfig = new RuntimeConfigOptions { File = _file, Period = TimeSpan.FromSeconds(10) },
        };
    }

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Overrides_StartFromLimitsConfig_AndUseLimitsConfigKeysAndSyntax()
    {
        const string yaml = """
            overrides:
              team-a:
                ingestion_rate_mb: 10.5
                per_stream_rate_limit: 5MB
                max_global_streams_per_user: 7
                max_line_size: 2KB
                max_query_series: 42
                query_timeout: 2m
              team-b: {}
            configs: {}
            """;
        Assert.True(ConfigLoader.TryParseOverrides(yaml, TenantLimits.Defaults(_options), out var overrides, out var error), error);
        var a = overrides["team-a"];
        Assert.Equal(10.5, a.Ingestion.IngestionRateMb);
        Assert.Equal(6, a.Ingestion.IngestionBurstSizeMb);
        Assert.Equal(5L << 20, a.Ingestion.PerStreamRateLimit);
        Assert.Equal(7, a.Ingestion.MaxGlobalStreamsPerUser);
        Assert.Equal(2048, a.Validation.MaxLineSize);
        Assert.Equal(42, a.Query.MaxQuerySeries);
        Assert.Equal(TimeSpan.FromMinutes(2), a.Query.QueryTimeout);
        Assert.Equal(TenantLimits.Defaults(_options), overrides["team-b"]);
    }

    [Theory]
    [InlineData("overrides:\n  team-a:\n    no_such_limit: 1\n", "overrides.team-a: unknown or unsupported limit 'no_such_limit'")]
    [InlineData("overrides:\n  team-a:\n    ingestion_rate_mb: fast\n", "config key 'overrides.team-a.ingestion_rate_mb': 'fast' is not a number")]
    [InlineData("overrides:\n  bad/tenant: {}\n", "overrides: tenant ID 'bad/tenant' contains unsupported character '/'")]
    [InlineData("overrides:\n  team-a:\n    ingestion_rate_strategy: random\n", "overrides.team-a: ingestion_rate_strategy 'random' is not supported: use global or local")]
    [InlineData("overrides: [1, 2]\n", "'overrides' must be a mapping of tenant to limits")]
    public void Overrides_InvalidFile_IsRefusedWithTheProblem(string yaml, string expected)
    {
        Assert.False(ConfigLoader.TryParseOverrides(yaml, TenantLimits.Defaults(_options), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Reload_ChangedFileAppliesOnNextPeriod_BrokenFileKeepsLastGoodOverrides()
    {
        File.WriteAllText(_file, "overrides:\n  team-a:\n    ingestion_rate_mb: 1\n");
        var time = new FakeTimeProvider();
        using var limits = new RuntimeConfigTenantLimits(_options, ConfigLoader.TryParseOverrides, time, NullLogger<RuntimeConfigTenantLimits>.Instance);
        Assert.Equal(1, limits.Ingestion("team-a").IngestionRateMb);
        Assert.Equal(4, limits.Ingestion("team-b").IngestionRateMb);
        Assert.Equal(1000, limits.Validation("team-b").MaxLineSize);

        File.WriteAllText(_file, "overrides:\n  team-a:\n    ingestion_rate_mb: 2\n  team-b:\n    max_line_size: 50\n");
        Assert.Equal(1, limits.Ingestion("team-a").IngestionRateMb);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, limits.Ingestion("team-a").IngestionRateMb);
        Assert.Equal(50, limits.Validation("team-b").MaxLineSize);

        File.WriteAllText(_file, "overrides:\n  team-a:\n    ingestion_rate_mb: [\n");
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, limits.Ingestion("team-a").IngestionRateMb);
        Assert.StartsWith($"runtime config file '{_file}': invalid YAML", limits.Reload());

        File.Delete(_file);
        Assert.StartsWith($"cannot read runtime config file '{_file}'", limits.Reload());
        Assert.Equal(2, limits.Ingestion("team-a").IngestionRateMb);
    }

    [Fact]
    public void Construct_WithBrokenFile_FailsStartUp()
    {
        File.WriteAllText(_file, "overrides:\n  team-a:\n    max_line_size: huge\n");
        var e = Assert.Throws<InvalidOperationException>(() =>
            new RuntimeConfigTenantLimits(_options, ConfigLoader.TryParseOverrides, new FakeTimeProvider(), NullLogger<RuntimeConfigTenantLimits>.Instance));
        Assert.Contains("'huge' is not a byte size", e.Message);
    }
}
