using System.Collections.Concurrent;
using Orleans.Loki.Grains.Limits;

namespace Orleans.Loki.Gateway.Limits;

/// <summary>
/// Loki's distributor rate limiter: one token bucket per tenant over validated bytes. With the <c>global</c> strategy
/// the tenant's <c>ingestion_rate_mb</c> is divided by the number of gateways in the cluster (each gateway admits its
/// share); the burst is not divided, as in Loki.
/// </summary>
public sealed class IngestionRateLimiter(ITenantLimits limits, IGatewayCount gateways, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes <paramref name="bytes"/> from the tenant's bucket; <paramref name="limit"/> is the rate in force (bytes/s).</summary>
    public bool TryAcquire(string tenant, long bytes, out long limit)
    {
        var tenantLimits = limits.Ingestion(tenant);
        var rate = tenantLimits.IngestionRateBytes;
        if (tenantLimits.IngestionRateStrategy == "global")
        {
            rate /= gateways.Count;
        }
        limit = (long)rate;
        var bucket = _buckets.GetOrAdd(tenant, static _ => new TokenBucket());
        lock (bucket)
        {
            return bucket.TryTake(bytes, rate, tenantLimits.IngestionBurstBytes, time.GetTimestamp(), time.TimestampFrequency);
        }
    }
}
