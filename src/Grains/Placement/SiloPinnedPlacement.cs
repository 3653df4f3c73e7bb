using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Orleans.Loki.Grains.Placement;

/// <summary>
/// Places a grain on the silo its string key names (<c>SiloAddress.ToParsableString()</c>): one activation per silo,
/// addressable from anywhere. Fails when that silo is not (or no longer) in the cluster.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacementStrategy.Instance);

[GenerateSerializer, Immutable, Alias("SiloPinnedPlacementStrategy")]
internal sealed class SiloPinnedPlacementStrategy : PlacementStrategy
{
    public static readonly SiloPinnedPlacementStrategy Instance = new();
}

internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var silo = SiloAddress.FromParsableString(key);
        foreach (var compatible in context.GetCompatibleSilos(target))
        {
            if (compatible.Equals(silo))
            {
                return Task.FromResult(compatible);
            }
        }
        throw new OrleansException($"silo {key} is not in the cluster: cannot place {target.GrainIdentity}");
    }
}
