using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Store;

/// <summary>Where rule groups live: <c>ruler.storage.type</c> local (read-only directory) or the object store.</summary>
public interface IRuleStore
{
    /// <summary>True for the local store: the API cannot change it.</summary>
    bool ReadOnly { get; }

    /// <summary>Tenants that have rules.</summary>
    Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken ct);

    /// <summary>Every group of the tenant (of one namespace when <paramref name="ns"/> is set), namespaces and groups in file order.</summary>
    /// <exception cref="RuleStoreException">The store cannot be read (Loki's text).</exception>
    Task<IReadOnlyList<RuleGroupDesc>> ListGroupsAsync(string tenant, string? ns, CancellationToken ct);

    /// <summary>One group, or null.</summary>
    Task<RuleGroupDesc?> GetGroupAsync(string tenant, string ns, string group, CancellationToken ct);

    /// <summary>Creates or replaces the group named <see cref="RuleGroupDesc.Name"/> of its namespace.</summary>
    Task SetGroupAsync(string tenant, RuleGroupDesc group, CancellationToken ct);

    /// <summary>Deletes one group; false when it did not exist.</summary>
    Task<bool> DeleteGroupAsync(string tenant, string ns, string group, CancellationToken ct);

    /// <summary>Deletes every group of the namespace; false when there was none.</summary>
    Task<bool> DeleteNamespaceAsync(string tenant, string ns, CancellationToken ct);
}

/// <summary>A rule store failure with Loki's text.</summary>
public sealed class RuleStoreException(string message) : Exception(message);
