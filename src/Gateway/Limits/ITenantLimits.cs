using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway.Limits;

/// <summary>
/// The limits in force for one tenant: the <c>limits_config</c> defaults with that tenant's overrides applied.
/// Callers ask per request (never cache the answer), so overrides that change at run time take effect at once.
/// </summary>
public interface ITenantLimits : IIngestionLimitsSource
{
    /// <summary>Push validation limits of the tenant.</summary>
    ValidationLimits Validation(string tenant);

    /// <summary>Query limits of the tenant.</summary>
    QueryLimits Query(string tenant);
}

/// <summary>The same limits for every tenant: the configured defaults.</summary>
public sealed class DefaultTenantLimits(GatewayOptions options) : ITenantLimits, Grains.Compactor.ICompactorLimitsSource
{
    public Grains.Compactor.CompactorLimits Compactor(string tenant) => options.Compactor;

    public ValidationLimits Validation(string tenant) => options.Limits;

    public QueryLimits Query(string tenant) => options.Query;

    public IngestionLimits Ingestion(string tenant) => options.Ingestion;
}
