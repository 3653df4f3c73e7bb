namespace Orleans.Loki.Grains.Limits;

/// <summary>
/// Where stream grains read a tenant's ingestion limits. Registered in the silo's services; the gateway's runtime
/// overrides implement it, so a changed override reaches the grains without a restart.
/// </summary>
public interface IIngestionLimitsSource
{
    /// <summary>The ingestion limits of <paramref name="tenant"/> now; ask per use, never cache.</summary>
    IngestionLimits Ingestion(string tenant);
}

/// <summary>The same ingestion limits for every tenant.</summary>
public sealed class DefaultIngestionLimitsSource(IngestionLimits limits) : IIngestionLimitsSource
{
    /// <summary>
    /// No stream limits: what stream grains use when the silo registers no source (bare grain hosts such as test
    /// clusters). The real process always registers one, built from <c>limits_config</c> and the runtime overrides.
    /// </summary>
    public static readonly DefaultIngestionLimitsSource Unlimited = new(new IngestionLimits { PerStreamRateLimit = 0, MaxGlobalStreamsPerUser = 0 });

    /// <inheritdoc/>
    public IngestionLimits Ingestion(string tenant) => limits;
}
