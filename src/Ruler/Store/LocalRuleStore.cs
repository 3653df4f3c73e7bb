using Microsoft.Extensions.Logging;
using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Store;

/// <summary>
/// Loki's local rule store: <c>&lt;directory&gt;/&lt;tenant&gt;/&lt;file&gt;</c>, each regular non-dot file one namespace
/// named after the file (extension included); subdirectories and dot files are skipped. Read-only: the API's writes
/// fail with Loki's texts. A file that does not parse is logged and left out, so one bad file never stops the others.
/// </summary>
public sealed partial class LocalRuleStore(string directory, ILogger<LocalRuleStore> logger) : IRuleStore
{
    public bool ReadOnly => true;

    public Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }
        IReadOnlyList<string> tenants = [.. Directory.EnumerateDirectories(directory)
            .Select(Path.GetFileName).Where(n => n is { Length: > 0 } && n[0] != '.').Select(n => n!).Order(StringComparer.Ordinal)];
        return Task.FromResult(tenants);
    }

    public async Task<IReadOnlyList<RuleGroupDesc>> ListGroupsAsync(string tenant, string? ns, CancellationToken ct)
    {
        var root = Path.Combine(directory, tenant);
        if (!Directory.Exists(root))
        {
            throw new RuleStoreException($"unable to read rule dir {root}: open {root}: no such file or directory");
        }
        var result = new List<RuleGroupDesc>();
        foreach (var file in Directory.EnumerateFiles(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.') || (ns is not null && name != ns))
            {
                continue;
            }
            var text = await File.ReadAllTextAsync(file, ct).ConfigureAwait(false);
            if (!RuleYaml.TryParseFile(text, name, out var groups, out var errors))
            {
                LogBadFile(logger, file, string.Join("; ", errors));
                continue;
            }
            result.AddRange(groups);
        }
        return result;
    }

    public async Task<RuleGroupDesc?> GetGroupAsync(string tenant, string ns, string group, CancellationToken ct) =>
        (await ListGroupsAsync(tenant, ns, ct).ConfigureAwait(false)).FirstOrDefault(g => g.Name == group);

    public Task SetGroupAsync(string tenant, RuleGroupDesc group, CancellationToken ct) =>
        throw new RuleStoreException("SetRuleGroup unsupported in rule local store");

    public Task<bool> DeleteGroupAsync(string tenant, string ns, string group, CancellationToken ct) =>
        throw new RuleStoreException("DeleteRuleGroup unsupported in rule local store");

    public Task<bool> DeleteNamespaceAsync(string tenant, string ns, CancellationToken ct) =>
        throw new RuleStoreException("DeleteNamespace unsupported in rule local store");

    [LoggerMessage(Level = LogLevel.Warning, Message = "rule file {File} is not loaded: {Errors}")]
    private static partial void LogBadFile(ILogger logger, string file, string errors);
}
