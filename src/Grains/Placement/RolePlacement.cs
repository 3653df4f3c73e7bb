using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Orleans.Loki.Grains.Placement;

internal sealed class RolePlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var module = ((RolePlacementStrategy)strategy).Module;
        var compatible = context.GetCompatibleSilos(target);
        var candidates = new List<SiloAddress>(compatible.Length);
        foreach (var silo in compatible)
        {
            if (Runs(silo, module))
            {
                candidates.Add(silo);
            }
        }
        if (candidates.Count == 0)
        {
            throw new ModuleUnavailableException(module, target.GrainIdentity.Type.ToString() ?? "grain");
        }
        return Task.FromResult(candidates[Random.Shared.Next(candidates.Count)]);
    }

    private bool Runs(SiloAddress silo, string module)
    {
        var data = metadata.GetSiloMetadata(silo);
        return data.Metadata.TryGetValue(LokiModules.MetadataKey, out var modules) && LokiModules.Contains(modules, module);
    }
}

public static class RolePlacementExtensions
{
    /// <summary>
    /// Advertises the silo's target and modules in its silo metadata and registers the placement of
    /// <see cref="RolePlacementAttribute"/>, and the placement on a named silo of the per-silo head readers.
    /// </summary>
    public static ISiloBuilder AddLokiRolePlacement(this ISiloBuilder silo, string target)
    {
        var modules = LokiModules.ExpandOrThrow(target);
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [LokiModules.TargetMetadataKey] = target,
            [LokiModules.MetadataKey] = string.Join(',', modules),
        });
        // Transient: the resolver initialises one strategy per grain type with that type's module.
        silo.Services.AddPlacementDirector<RolePlacementStrategy, RolePlacementDirector>(ServiceLifetime.Transient);
        silo.Services.AddPlacementDirector<SiloPinnedPlacementStrategy, SiloPinnedPlacementDirector>();
        return silo;
    }

    /// <summary>Whether the silo's metadata says it runs <paramref name="module"/>.</summary>
    public static bool RunsModule(this SiloMetadata metadata, string module) =>
        metadata.Metadata.TryGetValue(LokiModules.MetadataKey, out var modules) && LokiModules.Contains(modules, module);
}
