namespace Orleans.Loki.Grains.Limits;

/// <summary>
/// A tenant's active stream ids with when each last joined. Streams re-join while they receive pushes
/// (<see cref="RejoinInterval"/>) and leave when they deactivate; an entry not refreshed for <see cref="Expiry"/> is
/// dropped, so a count left behind by a crashed silo, a shutdown or a push that never reached its stream heals by
/// itself. Kept alive while its silo runs; if that silo dies the count restarts from the streams that push next, so
/// the limit is briefly soft after a crash, never stricter than configured.
/// </summary>
[Placement.RolePlacement(Placement.LokiModules.Ingester)]
[KeepAlive]
internal sealed class TenantStreamsGrain(TimeProvider time) : Grain, ITenantStreamsGrain
{
    /// <summary>How often an active stream refreshes its entry.</summary>
    public static readonly TimeSpan RejoinInterval = TimeSpan.FromMinutes(10);

    /// <summary>Matches the stream grains' idle deactivation: a stream silent this long is no longer active.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    private static readonly TimeSpan s_pruneInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, DateTimeOffset> _streams = new(StringComparer.Ordinal);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    public Task<bool> TryJoinAsync(string streamId, int limit, bool force) => Task.FromResult(Join(streamId, limit, force, time.GetUtcNow()));

    public Task<bool[]> AdmitAsync(string[] streamIds, int limit)
    {
        var now = time.GetUtcNow();
        var admitted = new bool[streamIds.Length];
        for (var i = 0; i < streamIds.Length; i++)
        {
            admitted[i] = Join(streamIds[i], limit, force: false, now);
        }
        return Task.FromResult(admitted);
    }

    public Task LeaveAsync(string streamId)
    {
        _streams.Remove(streamId);
        return Task.CompletedTask;
    }

    public Task<int> CountAsync() => Task.FromResult(_streams.Count);

    private bool Join(string streamId, int limit, bool force, DateTimeOffset now)
    {
        if (_streams.ContainsKey(streamId) || force || limit <= 0 || _streams.Count < limit)
        {
            _streams[streamId] = now;
            return true;
        }
        PruneExpired(now);
        if (_streams.Count < limit)
        {
            _streams[streamId] = now;
            return true;
        }
        return false;
    }

    private void PruneExpired(DateTimeOffset now)
    {
        // Only when the limit is reached, and at most once a minute: a flood of refused streams stays O(1) each.
        if (now - _lastPrune < s_pruneInterval)
        {
            return;
        }
        _lastPrune = now;
        List<string>? expired = null;
        foreach (var (id, seen) in _streams)
        {
            if (now - seen > Expiry)
            {
                (expired ??= []).Add(id);
            }
        }
        expired?.ForEach(id => _streams.Remove(id));
    }
}
