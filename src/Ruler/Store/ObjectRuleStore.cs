using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Ruler.Rules;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Ruler.Store;

/// <summary>
/// Rule groups in the object store, one object per group at <c>rules/&lt;tenant&gt;/&lt;base64url(namespace)&gt;/&lt;base64url(group)&gt;</c>
/// (Loki's layout), holding the group as a rule file of one group (YAML). Parsed groups are cached by key, size and
/// modification time, so a sync re-reads only what changed.
/// </summary>
public sealed partial class ObjectRuleStore(IObjectStore store, ILogger<ObjectRuleStore> logger) : IRuleStore
{
    public const string Prefix = "rules/";

    private readonly ConcurrentDictionary<string, (long Size, DateTimeOffset Modified, RuleGroupDesc Group)> _cache = new(StringComparer.Ordinal);

    public bool ReadOnly => false;

    public async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken ct)
    {
        var tenants = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync(Prefix, ct).ConfigureAwait(false))
        {
            var rest = o.Key.AsSpan(Prefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0)
            {
                tenants.Add(rest[..slash].ToString());
            }
        }
        return [.. tenants];
    }

    public async Task<IReadOnlyList<RuleGroupDesc>> ListGroupsAsync(string tenant, string? ns, CancellationToken ct)
    {
        var prefix = ns is null ? $"{Prefix}{tenant}/" : $"{Prefix}{tenant}/{Encode(ns)}/";
        var result = new List<RuleGroupDesc>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            seen.Add(o.Key);
            if (_cache.TryGetValue(o.Key, out var cached) && cached.Size == o.Size && cached.Modified == o.LastModified)
            {
                result.Add(cached.Group);
                continue;
            }
            var group = await ReadAsync(o.Key, ct).ConfigureAwait(false);
            if (group is not null)
            {
                _cache[o.Key] = (o.Size, o.LastModified, group);
                result.Add(group);
            }
        }
        foreach (var key in _cache.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !seen.Contains(key))
            {
                _cache.TryRemove(key, out _);
            }
        }
        // Namespaces by name, groups by name within a namespace (object keys sort by their encoding, not by name).
        result.Sort(static (a, b) => string.CompareOrdinal(a.Namespace, b.Namespace) is var c and not 0 ? c : string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    public Task<RuleGroupDesc?> GetGroupAsync(string tenant, string ns, string group, CancellationToken ct) =>
        ReadAsync(Key(tenant, ns, group), ct);

    public async Task SetGroupAsync(string tenant, RuleGroupDesc group, CancellationToken ct) =>
        await store.PutAsync(Key(tenant, group.Namespace, group.Name), Encoding.UTF8.GetBytes(RuleYaml.FormatFile([group])), ct).ConfigureAwait(false);

    public async Task<bool> DeleteGroupAsync(string tenant, string ns, string group, CancellationToken ct)
    {
        var key = Key(tenant, ns, group);
        _cache.TryRemove(key, out _);
        return await store.DeleteAsync(key, ct).ConfigureAwait(false);
    }

    public async Task<bool> DeleteNamespaceAsync(string tenant, string ns, CancellationToken ct)
    {
        var any = false;
        var keys = new List<string>();
        await foreach (var o in store.ListAsync($"{Prefix}{tenant}/{Encode(ns)}/", ct).ConfigureAwait(false))
        {
            keys.Add(o.Key);
        }
        foreach (var key in keys)
        {
            _cache.TryRemove(key, out _);
            any |= await store.DeleteAsync(key, ct).ConfigureAwait(false);
        }
        return any;
    }

    private async Task<RuleGroupDesc?> ReadAsync(string key, CancellationToken ct)
    {
        var bytes = await store.GetAsync(key, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        var parts = key[Prefix.Length..].Split('/');
        var ns = parts.Length == 3 ? Decode(parts[1]) : null;
        if (ns is null || !RuleYaml.TryParseFile(Encoding.UTF8.GetString(bytes), ns, out var groups, out var errors) || groups.Count != 1)
        {
            LogBadObject(logger, key);
            return null;
        }
        return groups[0];
    }

    internal static string Key(string tenant, string ns, string group) => $"{Prefix}{tenant}/{Encode(ns)}/{Encode(group)}";

    /// <summary>Go's <c>base64.URLEncoding</c> (with padding), as Loki names rule objects.</summary>
    internal static string Encode(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).Replace('+', '-').Replace('/', '_');

    private static string? Decode(string s)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "rule object {Key} is not a valid rule group and is skipped")]
    private static partial void LogBadObject(ILogger logger, string key);
}
