using Microsoft.Extensions.Logging;
using Orleans.Loki.Ruler.Rules;
using Orleans.Loki.Ruler.Store;

namespace Orleans.Loki.Ruler.Grains;

/// <summary>What the sync remembers: every group grain it started, per tenant (to stop groups that left the store).</summary>
[GenerateSerializer, Alias("Loki.RulerSyncState")]
public sealed class RulerSyncState
{
    [Id(0)] public Dictionary<string, List<string>> Groups { get; set; } = [];
}

/// <summary>
/// The cluster's rule sync (one activation, key 0). Each sync reads the tenants' groups from the rule store and
/// calls every group grain with its definition: that activates groups that are new or whose silo died, and applies
/// edits; groups that left the store get null and stop. Every silo's <see cref="RulerSyncService"/> calls it each
/// <c>poll_interval</c> and when a silo dies; the rules API calls it at once for the tenant it changed.
/// Not reentrant: syncs run one at a time.
/// </summary>
[Orleans.Loki.Grains.Placement.RolePlacement(Orleans.Loki.Grains.Placement.LokiModules.Ruler)]
public sealed partial class RulerSyncGrain(
    [PersistentState("rulersync", "loki-state")] IPersistentState<RulerSyncState> state,
    IRuleStore store,
    ILogger<RulerSyncGrain> logger) : Grain, IRulerSyncGrain
{
    /// <summary>Group grain calls in flight at once during a sync.</summary>
    private const int Parallelism = 64;

    async Task IRulerSyncGrain.SyncAsync(string? tenant)
    {
        IReadOnlyList<string> tenants = tenant is null
            ? [.. (await store.ListTenantsAsync(CancellationToken.None)).Union(state.State.Groups.Keys).Distinct()]
            : [tenant];
        var changed = false;
        foreach (var t in tenants)
        {
            IReadOnlyList<RuleGroupDesc> groups;
            try
            {
                groups = await store.ListGroupsAsync(t, null, CancellationToken.None);
            }
            catch (RuleStoreException) when (store.ReadOnly)
            {
                // The tenant's directory is gone: it has no rules any more.
                groups = [];
            }
            var desired = new Dictionary<string, RuleGroupDesc>(StringComparer.Ordinal);
            foreach (var g in groups)
            {
                desired[RuleGroupKey.Of(t, g.Namespace, g.Name)] = g;
            }
            var previous = state.State.Groups.GetValueOrDefault(t) ?? [];
            var calls = desired.Select(d => (d.Key, (RuleGroupDesc?)d.Value))
                .Concat(previous.Where(k => !desired.ContainsKey(k)).Select(k => (k, (RuleGroupDesc?)null)))
                .ToList();
            using var gate = new SemaphoreSlim(Parallelism);
            await Task.WhenAll(calls.Select(async c =>
            {
                await gate.WaitAsync();
                try
                {
                    await GrainFactory.GetGrain<IRuleGroupGrain>(c.Item1).SyncAsync(c.Item2);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The fan-out edge: one group failing (e.g. its storage) must not stop the others; the next sync retries.
                    LogGroupSyncFailed(logger, c.Item1, e);
                }
                finally
                {
                    gate.Release();
                }
            }));
            var keys = desired.Keys.Order(StringComparer.Ordinal).ToList();
            if (!keys.SequenceEqual(previous))
            {
                changed = true;
                if (keys.Count == 0)
                {
                    state.State.Groups.Remove(t);
                }
                else
                {
                    state.State.Groups[t] = keys;
                }
            }
        }
        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    Task<IReadOnlyList<string>> IRulerSyncGrain.GroupsAsync(string tenant) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Groups.GetValueOrDefault(tenant) ?? []);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rule sync: group {Group} could not be updated")]
    private static partial void LogGroupSyncFailed(ILogger logger, string group, Exception e);
}
