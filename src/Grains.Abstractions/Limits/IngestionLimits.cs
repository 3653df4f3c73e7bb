namespace Orleans.Loki.Grains.Limits;

/// <summary>
/// Per-tenant ingestion limits with Loki's <c>limits_config</c> names and defaults. The distributor enforces the
/// tenant rate; stream grains enforce the per-stream rate and the active-stream count.
/// </summary>
public sealed record IngestionLimits
{
    /// <summary>Loki's "MB" for <c>ingestion_rate_mb</c> / <c>ingestion_burst_size_mb</c> is a mebibyte.</summary>
    public const double BytesInMb = 1024 * 1024;

    /// <summary><c>ingestion_rate_mb</c>: the tenant's sustained push rate (after validation), in MiB/s.</summary>
    public double IngestionRateMb { get; init; } = 4;

    /// <summary><c>ingestion_burst_size_mb</c>: the largest amount a tenant may push at once, in MiB.</summary>
    public double IngestionBurstSizeMb { get; init; } = 6;

    /// <summary><c>ingestion_rate_strategy</c>: <c>global</c> divides the rate among the gateways in the cluster; <c>local</c> applies it per gateway.</summary>
    public string IngestionRateStrategy { get; init; } = "global";

    /// <summary><c>per_stream_rate_limit</c> in bytes/s (3 MiB); 0 disables it.</summary>
    public long PerStreamRateLimit { get; init; } = 3L << 20;

    /// <summary><c>per_stream_rate_limit_burst</c> in bytes (15 MiB).</summary>
    public long PerStreamRateLimitBurst { get; init; } = 15L << 20;

    /// <summary><c>max_global_streams_per_user</c>: active streams per tenant across the cluster; 0 disables it.</summary>
    public int MaxGlobalStreamsPerUser { get; init; } = 5000;

    /// <summary>Rate in bytes per second before the global division.</summary>
    public double IngestionRateBytes => IngestionRateMb * BytesInMb;

    /// <summary>Burst in bytes.</summary>
    public double IngestionBurstBytes => IngestionBurstSizeMb * BytesInMb;

    /// <summary>Returns the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (IngestionRateMb < 0 || IngestionBurstSizeMb < 0)
        {
            return "ingestion_rate_mb and ingestion_burst_size_mb must not be negative";
        }
        if (IngestionRateStrategy is not ("global" or "local"))
        {
            return $"ingestion_rate_strategy '{IngestionRateStrategy}' is not supported: use global or local";
        }
        if (PerStreamRateLimit < 0 || PerStreamRateLimitBurst < 0 || MaxGlobalStreamsPerUser < 0)
        {
            return "per_stream_rate_limit, per_stream_rate_limit_burst and max_global_streams_per_user must not be negative";
        }
        return null;
    }
}
