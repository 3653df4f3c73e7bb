using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// Loki's ingester limits for one stream: <c>max_global_streams_per_user</c> (the stream joins its tenant's count on
/// its first push) and <c>per_stream_rate_limit</c> / <c>_burst</c> (a token bucket over line bytes, checked per entry
/// before anything else, as Loki's stream does).
/// </summary>
internal sealed partial class StreamGrain
{
    /// <summary>Only the first few rate-limit rejections carry a message (Loki returns at most 10 per stream), so a flood stays small.</summary>
    private const int MaxRejectionMessages = 10;

    private IIngestionLimitsSource? _limitsSource;
    private TokenBucket? _streamBucket;
    private bool _joinedTenant;
    private DateTimeOffset _lastJoin;

    private IIngestionLimitsSource LimitsSource =>
        _limitsSource ??= ServiceProvider.GetService<IIngestionLimitsSource>() ?? DefaultIngestionLimitsSource.Unlimited;

    /// <summary>
    /// Applies the stream limits to a decoded batch: returns false when the stream may not exist (every entry rejected);
    /// otherwise removes rate-limited entries from <paramref name="entries"/> and records them in <paramref name="rejected"/>.
    /// <paramref name="joinedByDistributor"/>: the push's distributor already joined the stream to the tenant's count.
    /// </summary>
    private async Task<bool> AdmitAsync(string labels, List<LogEntry> entries, List<RejectedEntry> rejected, bool joinedByDistributor)
    {
        var limits = LimitsSource.Ingestion(_tenant);
        var now = time.GetUtcNow();
        if (joinedByDistributor)
        {
            // The distributor joined this stream to the count for this very push, with the push's other new streams.
            _joinedTenant = true;
            _lastJoin = now;
        }
        else if (!_joinedTenant || now - _lastJoin >= TenantStreamsGrain.RejoinInterval)
        {
            // A stream that holds data, or was counted before, stays: refusing it would drop acknowledged data's stream.
            var holdsData = _joinedTenant || _head.EntryCount > 0 || _closed.Count > 0;
            var joined = await GrainRefs.Get<ITenantStreamsGrain>(GrainFactory, _tenant).TryJoinAsync(_streamId, limits.MaxGlobalStreamsPerUser, holdsData);
            if (!joined)
            {
                var message = string.Format(CultureInfo.InvariantCulture, LokiErrors.StreamLimitErrorMsg, labels, _tenant);
                foreach (var entry in entries)
                {
                    rejected.Add(new RejectedEntry(LokiErrors.StreamLimit, rejected.Count == 0 ? message : "", entry.Line.Length));
                }
                if (!holdsData)
                {
                    // A stream that may not exist should not hold an activation (a flood of new streams would otherwise pin memory).
                    DeactivateOnIdle();
                }
                return false;
            }
            _joinedTenant = true;
            _lastJoin = now;
        }

        if (limits.PerStreamRateLimit > 0)
        {
            ApplyStreamRate(labels, entries, rejected, limits);
        }
        return true;
    }

    private void ApplyStreamRate(string labels, List<LogEntry> entries, List<RejectedEntry> rejected, IngestionLimits limits)
    {
        _streamBucket ??= new TokenBucket();
        var now = time.GetTimestamp();
        var burst = Math.Max(limits.PerStreamRateLimitBurst, limits.PerStreamRateLimit);
        var kept = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var bytes = entry.Line.Length;
            if (_streamBucket.TryTake(bytes, limits.PerStreamRateLimit, burst, now, time.TimestampFrequency))
            {
                entries[kept++] = entry;
                continue;
            }
            var message = rejected.Count < MaxRejectionMessages
                ? $"entry with timestamp {GoTime.TimeString(entry.TimestampNs)} ignored, reason: '{string.Format(CultureInfo.InvariantCulture, LokiErrors.StreamRateLimitErrorMsg, GoBytes.Humanize(limits.PerStreamRateLimit), labels, GoBytes.Humanize(bytes))}',"
                : "";
            rejected.Add(new RejectedEntry(LokiErrors.PerStreamRateLimit, message, bytes));
        }
        entries.RemoveRange(kept, entries.Count - kept);
    }

    /// <summary>
    /// Leaves the tenant's active-stream count on deactivation. Not on silo shutdown: the count's grain may be going
    /// down with this silo, and an entry left behind expires by itself.
    /// </summary>
    private void LeaveTenant(DeactivationReason reason)
    {
        if (_joinedTenant && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            _joinedTenant = false;
            _ = GrainRefs.Get<ITenantStreamsGrain>(GrainFactory, _tenant).LeaveAsync(_streamId);
        }
    }
}
