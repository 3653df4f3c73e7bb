namespace Orleans.Loki.Grains.Placement;

/// <summary>
/// Loki's module names and deployment targets. A target (<c>-target=</c>) is a comma list of target names; each
/// name expands to the modules it runs, and the modules decide which grains a silo hosts and which HTTP endpoints
/// it serves.
/// </summary>
public static class LokiModules
{
    public const string Distributor = "distributor";
    public const string Ingester = "ingester";
    public const string Querier = "querier";
    public const string QueryFrontend = "query-frontend";
    public const string QueryScheduler = "query-scheduler";
    public const string IndexGateway = "index-gateway";
    public const string Compactor = "compactor";
    public const string Ruler = "ruler";

    /// <summary>Every module, in Loki's order.</summary>
    public static readonly string[] All = [Distributor, Ingester, Querier, QueryFrontend, QueryScheduler, IndexGateway, Compactor, Ruler];

    /// <summary>The silo metadata key that carries a silo's modules (comma-separated).</summary>
    public const string MetadataKey = "loki.modules";

    /// <summary>The silo metadata key that carries a silo's target as configured.</summary>
    public const string TargetMetadataKey = "loki.target";

    private static readonly Dictionary<string, string[]> s_targets = new(StringComparer.Ordinal)
    {
        // Monolithic: everything, including the index gateway (its grains must live somewhere).
        ["all"] = All,
        // Simple scalable deployment (Loki 3.x): write, read, backend.
        ["write"] = [Distributor, Ingester],
        ["read"] = [QueryFrontend, Querier],
        ["backend"] = [QueryScheduler, Ruler, Compactor, IndexGateway],
        // Microservices: each module on its own.
        [Distributor] = [Distributor],
        [Ingester] = [Ingester],
        [Querier] = [Querier],
        [QueryFrontend] = [QueryFrontend],
        [QueryScheduler] = [QueryScheduler],
        [IndexGateway] = [IndexGateway],
        [Compactor] = [Compactor],
        [Ruler] = [Ruler],
    };

    /// <summary>The target names accepted by <c>-target</c> (each may be combined in a comma list).</summary>
    public static IReadOnlyCollection<string> TargetNames => s_targets.Keys;

    /// <summary>
    /// The modules of a target such as <c>write</c> or <c>querier,ruler</c>; null with <paramref name="error"/> set
    /// when a name is unknown or the list is empty.
    /// </summary>
    public static IReadOnlySet<string>? Expand(string target, out string? error)
    {
        var modules = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in target.Split(','))
        {
            var name = raw.Trim();
            if (name.Length == 0)
            {
                continue;
            }
            if (!s_targets.TryGetValue(name, out var expanded))
            {
                error = $"unrecognised module name: {name}: expected one of {string.Join(", ", s_targets.Keys)}";
                return null;
            }
            modules.UnionWith(expanded);
        }
        if (modules.Count == 0)
        {
            error = "no target given: expected one of " + string.Join(", ", s_targets.Keys);
            return null;
        }
        error = null;
        return modules;
    }

    /// <summary>The modules of a valid target; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static IReadOnlySet<string> ExpandOrThrow(string target) =>
        Expand(target, out var error) ?? throw new ArgumentException(error, nameof(target));

    /// <summary>The modules named in a silo's metadata value.</summary>
    public static bool Contains(string? metadataValue, string module)
    {
        if (string.IsNullOrEmpty(metadataValue))
        {
            return false;
        }
        foreach (var part in metadataValue.Split(','))
        {
            if (part == module)
            {
                return true;
            }
        }
        return false;
    }
}
