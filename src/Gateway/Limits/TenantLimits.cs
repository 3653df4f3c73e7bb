using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway.Limits;

/// <summary>Every per-tenant limit of one tenant (one entry of the runtime config's <c>overrides</c>).</summary>
public sealed record TenantLimits(ValidationLimits Validation, QueryLimits Query, IngestionLimits Ingestion)
{
    /// <summary>Retention and deletion limits of the tenant.</summary>
    public Grains.Compactor.CompactorLimits Compactor { get; init; } = new();

    /// <summary>The <c>limits_config</c> defaults of <paramref name="options"/>.</summary>
    public static TenantLimits Defaults(GatewayOptions options) => new(options.Limits, options.Query, options.Ingestion) { Compactor = options.Compactor };
}

/// <summary>
/// Parses the runtime config file's text into per-tenant limits, each starting from <paramref name="defaults"/>.
/// Returns false with a message naming the problem (the caller keeps the previous overrides).
/// </summary>
public delegate bool RuntimeOverridesParser(string yaml, TenantLimits defaults, out IReadOnlyDictionary<string, TenantLimits> overrides, out string? error);

/// <summary>Loki's <c>runtime_config</c>: a YAML file with per-tenant <c>overrides</c>, re-read every <see cref="Period"/>.</summary>
public sealed record RuntimeConfigOptions
{
    /// <summary><c>runtime_config.file</c>; null disables runtime overrides.</summary>
    public string? File { get; init; }

    /// <summary><c>runtime_config.period</c>: how often the file is checked for changes (Loki: 10s).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(10);
}
