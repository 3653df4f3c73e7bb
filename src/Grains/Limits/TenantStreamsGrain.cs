namespace Orleans.Loki.Grains.Limits;

/// <summary>
/// In-memory set of a tenant's active stream ids. Kept alive while the silo runs: losing it would forget the count
/// until the streams re-join. If its silo dies the count restarts from the streams that push next, so the limit is
/// briefly soft after a crash, never stricter than configured.
/// </summary>
[KeepAlive]
internal sealed class TenantStreamsGrain : Grain, ITenantStreamsGrain
{
    private readonly HashSet<string> _streams = new(StringComparer.Ordinal);

    public Task<bool> TryJoinAsync(string streamId, int limit, bool force)
    {
        if (_streams.Contains(streamId))
        {
            return Task.FromResult(true);
        }
        if (!force && limit > 0 && _streams.Count >= limit)
        {
            return Task.FromResult(false);
        }
        _streams.Add(streamId);
        return Task.FromResult(true);
    }

    public Task LeaveAsync(string streamId)
    {
        _streams.Remove(streamId);
        return Task.CompletedTask;
    }

    public Task<int> CountAsync() => Task.FromResult(_streams.Count);
}
