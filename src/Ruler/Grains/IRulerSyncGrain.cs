namespace Orleans.Loki.Ruler.Grains;

/// <summary>
/// The rule sync, one per cluster (key 0): reads the rule store and hands every group to its group grain, which also
/// (re)activates groups whose silo died; groups that left the store are stopped.
/// </summary>
[Alias("Loki.IRulerSyncGrain")]
public interface IRulerSyncGrain : IGrainWithIntegerKey
{
    /// <summary>Syncs every tenant (null) or one tenant (after an API edit).</summary>
    [Alias("SyncAsync")]
    Task SyncAsync(string? tenant);

    /// <summary>Group grain keys of the tenant, as of the last sync.</summary>
    [Alias("GroupsAsync")]
    Task<IReadOnlyList<string>> GroupsAsync(string tenant);
}
