namespace Orleans.Loki.Grains.Limits;

/// <summary>
/// Counts a tenant's active streams across the cluster (key: the tenant), for <c>max_global_streams_per_user</c>.
/// A stream grain joins once per activation, on its first push, and leaves when it deactivates.
/// </summary>
[Alias("ITenantStreamsGrain")]
public interface ITenantStreamsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Joins <paramref name="streamId"/> unless that would exceed <paramref name="limit"/> (0: no limit).
    /// A stream already counted, or one that must be counted (<paramref name="force"/>: it already holds data), always joins.
    /// </summary>
    [Alias("TryJoin")]
    Task<bool> TryJoinAsync(string streamId, int limit, bool force);

    /// <summary>
    /// Admits a push's new streams in order while the count stays within <paramref name="limit"/>; admitted streams are
    /// counted at once (their grains join again on activation, which is then a no-op). Returns one flag per stream.
    /// </summary>
    [Alias("Admit")]
    Task<bool[]> AdmitAsync(string[] streamIds, int limit);

    /// <summary>Removes <paramref name="streamId"/> from the count.</summary>
    [Alias("Leave"), Orleans.Concurrency.OneWay]
    Task LeaveAsync(string streamId);

    /// <summary>Active streams counted now.</summary>
    [Alias("Count")]
    Task<int> CountAsync();
}
