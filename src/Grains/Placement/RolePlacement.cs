using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Orleans.Loki.Grains.Placement;

/// <summary>
/// Places a grain only on silos that run <see cref="Module"/> (one of <see cref="LokiModules"/>), one of them at
/// random (so stream grains and rule groups spread over the silos of their role). A silo's modules come from its
/// target and travel in its Orleans silo metadata. When no live silo runs the module, the call fails with
/// <see cref="ModuleUnavailableException"/> (answered 503 by the HTTP API), never a hang.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RolePlacementAttribute(string module) : PlacementAttribute(new RolePlacementStrategy()), IGrainPropertiesProviderAttribute
{
    /// <summary>The grain property that carries the module for the strategy.</summary>
    internal const string ModuleProperty = "loki-module";

    public string Module { get; } = module;

    void IGrainPropertiesProviderAttribute.Populate(IServiceProvider services, Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        Populate(services, grainClass, grainType, properties);
        properties[ModuleProperty] = Module;
    }
}

/// <summary>The strategy of <see cref="RolePlacementAttribute"/>: one instance per grain type, carrying its module.</summary>
[GenerateSerializer, Immutable]
public sealed class RolePlacementStrategy : PlacementStrategy
{
    [Id(0)]
    public string Module { get; private set; } = "";

    public override void Initialize(GrainProperties properties)
    {
        base.Initialize(properties);
        if (properties.Properties.TryGetValue(RolePlacementAttribute.ModuleProperty, out var module))
        {
            Module = module;
        }
    }
}

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
    /// <see cref="RolePlacementAttribute"/>.
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
        return silo;
    }

    /// <summary>Whether the silo's metadata says it runs <paramref name="module"/>.</summary>
    public static bool RunsModule(this SiloMetadata metadata, string module) =>
        metadata.Metadata.TryGetValue(LokiModules.MetadataKey, out var modules) && LokiModules.Contains(modules, module);
}
