namespace Orleans.Loki.Grains.Placement;

/// <summary>Thrown when a grain must be placed on a module that no live silo of the cluster runs.</summary>
[GenerateSerializer]
public sealed class ModuleUnavailableException : OrleansException
{
    public ModuleUnavailableException(string module, string grainType)
        : base($"no live silo runs the {module} module (needed by {grainType}): start a silo whose -target includes {module}")
    {
        Module = module;
    }

    [Id(0)]
    public string Module { get; private set; }
}
