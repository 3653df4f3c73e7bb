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

/// <summary>Loki's defaults for every tenant (used when the silo registers no source).</summary>
public sealed class DefaultIngestionLimitsSource(IngestionLimits limits) : IIngestionLimitsSource
{
    /// <summary>One shared instance with Loki's defaults.</summary>
    public static readonly DefaultIngestionLimitsSource Instance = new(new IngestionLimits());

    /// <inheritdoc/>
    public IngestionLimits Ingestion(string tenant) => limits;
}
