namespace Orleans.Loki.Gateway.Query.Frontend;

/// <summary>Settings of the query frontend's queue (Loki's <c>frontend</c> and <c>querier</c> blocks).</summary>
public sealed record FrontendOptions
{
    /// <summary><c>frontend.max_outstanding_per_tenant</c>: sub-queries a tenant may have waiting (Loki's default 2048).</summary>
    public int MaxOutstandingPerTenant { get; init; } = 2048;

    /// <summary>
    /// <c>querier.max_concurrent</c>: sub-queries running at once per gateway, over all tenants. Loki's default is 4 per
    /// querier process; here sub-queries fan out to querier grains across the cluster, so the default is 32.
    /// </summary>
    public int MaxConcurrent { get; init; } = 32;

    /// <summary>
    /// <c>query_range.align_queries_with_step</c>: a metric range query's start and end are moved down to a multiple
    /// of its step before it runs, as Loki's frontend does (off by default).
    /// </summary>
    public bool AlignQueriesWithStep { get; init; }
}
