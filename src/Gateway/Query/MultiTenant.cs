using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// Queries over several tenants (<c>X-Scope-OrgID: a|b</c>), as Loki's multi-tenant querier: each tenant is queried on
/// its own and every result stream or series gets a <c>__tenant_id__</c> label. Matchers on <c>__tenant_id__</c> in a
/// selector choose the tenants queried; they are not sent to the index, where no stream carries that label.
/// A single tenant is queried as before, without the label.
/// </summary>
internal static class MultiTenant
{
    /// <summary>The label naming the tenant of a result in a multi-tenant query.</summary>
    public const string TenantLabel = "__tenant_id__";

    /// <summary>The tenants a query with <paramref name="matchers"/> reads, each with the matchers to send to its index.</summary>
    public static IEnumerable<(string Tenant, List<MatcherSpec> Matchers)> Select(string[] tenants, List<MatcherSpec> matchers)
    {
        if (tenants.Length == 1)
        {
            yield return (tenants[0], matchers);
            yield break;
        }
        var streamMatchers = matchers.Where(m => m.Name != TenantLabel).ToList();
        var tenantMatchers = matchers.Where(m => m.Name == TenantLabel).Select(ToMatcher).ToList();
        foreach (var tenant in tenants)
        {
            if (tenantMatchers.TrueForAll(m => m.Matches(tenant)))
            {
                yield return (tenant, streamMatchers);
            }
        }
    }

    /// <summary>Adds <c>__tenant_id__</c> to labels sorted by name, keeping them sorted.</summary>
    public static KeyValuePair<string, string>[] WithTenant(KeyValuePair<string, string>[] labels, string tenant)
    {
        var result = new List<KeyValuePair<string, string>>(labels.Length + 1);
        var added = false;
        foreach (var label in labels)
        {
            if (label.Key == TenantLabel)
            {
                continue;
            }
            if (!added && string.CompareOrdinal(label.Key, TenantLabel) > 0)
            {
                result.Add(new(TenantLabel, tenant));
                added = true;
            }
            result.Add(label);
        }
        if (!added)
        {
            result.Add(new(TenantLabel, tenant));
        }
        return [.. result];
    }

    /// <summary>Label names of the tenants' streams, plus <c>__tenant_id__</c> when several tenants are queried.</summary>
    public static async Task<IReadOnlyList<string>> LabelNamesAsync(GrainDataSource data, string[] tenants, List<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var tasks = Select(tenants, matchers).Select(t => data.LabelNamesAsync(t.Tenant, t.Matchers, fromNs, throughNs, ct)).ToList();
        var names = (await Task.WhenAll(tasks).ConfigureAwait(false)).SelectMany(n => n);
        if (tenants.Length > 1)
        {
            names = names.Append(TenantLabel);
        }
        return [.. names.Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>Values of a label over the tenants; for <c>__tenant_id__</c> in a multi-tenant query, the tenants selected.</summary>
    public static async Task<IReadOnlyList<string>> LabelValuesAsync(GrainDataSource data, string[] tenants, string name, List<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var selected = Select(tenants, matchers).ToList();
        if (tenants.Length > 1 && name == TenantLabel)
        {
            return [.. selected.Select(t => t.Tenant).Order(StringComparer.Ordinal)];
        }
        var tasks = selected.Select(t => data.LabelValuesAsync(t.Tenant, name, t.Matchers, fromNs, throughNs, ct)).ToList();
        return [.. (await Task.WhenAll(tasks).ConfigureAwait(false)).SelectMany(v => v).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The limits of a multi-tenant query: the smallest of its tenants' (Loki takes the smallest positive value).</summary>
    public static QueryLimits Smallest(IEnumerable<QueryLimits> all)
    {
        QueryLimits? result = null;
        foreach (var l in all)
        {
            result = result is null ? l : result with
            {
                MaxEntriesLimitPerQuery = SmallestPositive(result.MaxEntriesLimitPerQuery, l.MaxEntriesLimitPerQuery),
                MaxQuerySeries = Math.Min(result.MaxQuerySeries, l.MaxQuerySeries),
                MaxQueryLength = SmallestPositive(result.MaxQueryLength, l.MaxQueryLength),
                MaxQueryLookback = SmallestPositive(result.MaxQueryLookback, l.MaxQueryLookback),
                QueryTimeout = SmallestPositive(result.QueryTimeout, l.QueryTimeout),
                SplitQueriesByInterval = result.SplitQueriesByInterval < l.SplitQueriesByInterval ? result.SplitQueriesByInterval : l.SplitQueriesByInterval,
                MaxQueryParallelism = SmallestPositive(result.MaxQueryParallelism, l.MaxQueryParallelism),
                TsdbMaxQueryParallelism = SmallestPositive(result.TsdbMaxQueryParallelism, l.TsdbMaxQueryParallelism),
                MaxExportBytes = result.MaxExportBytes <= 0 ? l.MaxExportBytes : l.MaxExportBytes <= 0 ? result.MaxExportBytes : Math.Min(result.MaxExportBytes, l.MaxExportBytes),
            };
        }
        return result ?? new QueryLimits();
    }

    private static int SmallestPositive(int a, int b) => a <= 0 ? b : b <= 0 ? a : Math.Min(a, b);

    private static TimeSpan SmallestPositive(TimeSpan a, TimeSpan b) => a <= TimeSpan.Zero ? b : b <= TimeSpan.Zero ? a : (a < b ? a : b);

    private static LabelMatcher ToMatcher(MatcherSpec spec)
    {
        var type = LabelMatcher.TryParseOperator(spec.Type, out var t) ? t : LabelMatchType.NotRegexp;
        // The selector parsed already, so its regexes compile.
        LabelMatcher.TryCreate(type, spec.Name, spec.Value, out var matcher, out _);
        return matcher!;
    }
}
