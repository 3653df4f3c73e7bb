using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Grains;

/// <summary>
/// One rule group of one tenant, key <c>{tenant}/{escaped namespace}/{escaped group}</c> (<see cref="RuleGroupKey"/>):
/// evaluates its rules on its own timer and keeps its alerts in grain storage.
/// </summary>
[Alias("Loki.IRuleGroupGrain")]
public interface IRuleGroupGrain : IGrainWithStringKey
{
    /// <summary>Applies the group's current definition (null: the group was deleted; its state is cleared).</summary>
    [Alias("SyncAsync")]
    Task SyncAsync(RuleGroupDesc? group);

    /// <summary>The group's rules, their health and alerts (for <c>/prometheus/api/v1/rules</c> and <c>/alerts</c>).</summary>
    [Alias("GetStatusAsync")]
    Task<RuleGroupStatus?> GetStatusAsync();
}

/// <summary>Rule group grain keys.</summary>
public static class RuleGroupKey
{
    public static string Of(string tenant, string ns, string group) => $"{tenant}/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(group)}";

    public static (string Tenant, string Namespace, string Group) Parse(string key)
    {
        var parts = key.Split('/');
        return (parts[0], Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]));
    }
}
