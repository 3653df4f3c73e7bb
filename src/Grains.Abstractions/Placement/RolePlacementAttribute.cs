using Orleans.Metadata;
using Orleans.Placement;

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
