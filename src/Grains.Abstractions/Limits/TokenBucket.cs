namespace Orleans.Loki.Grains.Limits;

/// <summary>
/// A token bucket with the semantics of Go's <c>rate.Limiter.AllowN</c>, which Loki uses: tokens refill at
/// <c>rate</c> per second up to <c>burst</c>; a request for more than <c>burst</c> never succeeds. Not thread-safe:
/// stream grains use it on their own scheduler, the distributor under a lock.
/// </summary>
public sealed class TokenBucket
{
    private double _tokens;
    private long _lastTimestamp;
    private bool _started;

    /// <summary>Takes <paramref name="n"/> tokens if available at <paramref name="timestamp"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public bool TryTake(double n, double rate, double burst, long timestamp, long timestampFrequency)
    {
        if (!_started)
        {
            _tokens = burst;
            _lastTimestamp = timestamp;
            _started = true;
        }
        var elapsed = Math.Max(0, timestamp - _lastTimestamp) / (double)timestampFrequency;
        _lastTimestamp = Math.Max(_lastTimestamp, timestamp);
        // Limits may change at run time: clamp to the current burst rather than keeping an old, larger bucket.
        _tokens = Math.Min(burst, _tokens + (elapsed * rate));
        if (n > _tokens)
        {
            return false;
        }
        _tokens -= n;
        return true;
    }
}
