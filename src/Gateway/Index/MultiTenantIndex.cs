using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Index;

/// <summary>
/// Index reads over several tenants (<c>X-Scope-OrgID: a|b</c>): each tenant chosen by the selector's
/// <c>__tenant_id__</c> matchers (see <see cref="MultiTenant.Select"/>) is read on its own and the answers merged.
/// One tenant is read exactly as before.
/// </summary>
internal static class MultiTenantIndex
{
    /// <summary>Stats summed over the tenants (streams of different tenants are different streams).</summary>
    public static async Task<(long Streams, long Chunks, long Bytes, long Entries)> StatsAsync(
        IndexReader index, string[] tenants, List<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var parts = await Task.WhenAll(MultiTenant.Select(tenants, matchers)
            .Select(t => index.StatsAsync(t.Tenant, t.Matchers, fromNs, throughNs, ct))).ConfigureAwait(false);
        return (parts.Sum(p => (long)p.Fingerprints.Count), parts.Sum(p => p.Chunks), parts.Sum(p => p.Bytes), parts.Sum(p => p.Entries));
    }

    /// <summary>
    /// Volumes of the tenants. Over several tenants a series keeps its tenant as <c>__tenant_id__</c> unless target
    /// labels were given without it (then the tenants' equal series add up); per label name
    /// (<c>aggregateBy=labels</c>) the tenants' bytes add up.
    /// </summary>
    public static async Task<(Dictionary<string, long[]> Volumes, bool MaxSeriesHit)> VolumeAsync(
        IndexReader index, string[] tenants, VolumeRequest request, CancellationToken ct)
    {
        if (tenants.Length == 1)
        {
            return await index.VolumeAsync(tenants[0], request, ct).ConfigureAwait(false);
        }
        var labelTenant = request.AggregateBySeries && (!request.TargetsGiven || request.LabelsToMatch.Contains(MultiTenant.TenantLabel));
        var labelsToMatch = request.LabelsToMatch.Where(l => l != MultiTenant.TenantLabel).ToList();
        var selected = MultiTenant.Select(tenants, [.. request.Matchers]).ToList();
        var parts = await Task.WhenAll(selected.Select(t => index.VolumeAsync(t.Tenant, request with
        {
            Matchers = t.Matchers,
            LabelsToMatch = labelsToMatch,
        }, ct))).ConfigureAwait(false);

        var merged = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var hit = false;
        for (var i = 0; i < parts.Length; i++)
        {
            hit |= parts[i].MaxSeriesHit;
            foreach (var (name, bytes) in parts[i].Volumes)
            {
                var key = labelTenant ? WithTenant(name, selected[i].Tenant) : name;
                if (!merged.TryGetValue(key, out var total))
                {
                    total = new long[bytes.Length];
                    merged.Add(key, total);
                }
                for (var b = 0; b < bytes.Length; b++)
                {
                    total[b] += bytes[b];
                }
            }
        }
        return (merged, hit || merged.Count > request.MaxSeries);
    }

    /// <summary>Every label name of the tenants' matching series with its distinct values over all the tenants.</summary>
    public static async Task<SortedDictionary<string, SortedSet<string>>> LabelValueSetsAsync(
        IndexReader index, string[] tenants, List<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var parts = await Task.WhenAll(MultiTenant.Select(tenants, matchers)
            .Select(t => index.LabelValueSetsAsync(t.Tenant, t.Matchers, fromNs, throughNs, ct))).ConfigureAwait(false);
        if (parts.Length == 1)
        {
            return parts[0];
        }
        var result = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in parts.SelectMany(p => p))
        {
            if (!result.TryGetValue(name, out var all))
            {
                all = new SortedSet<string>(StringComparer.Ordinal);
                result.Add(name, all);
            }
            all.UnionWith(values);
        }
        return result;
    }

    private static string WithTenant(string name, string tenant) =>
        LabelSet.TryParse(name, out var pairs, out var error)
            ? LabelSet.Format(MultiTenant.WithTenant(pairs, tenant))
            : throw new InvalidOperationException($"volume series '{name}' does not parse: {error}");
}
