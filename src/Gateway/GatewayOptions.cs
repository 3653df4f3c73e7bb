using Orleans.Loki.Gateway.Auth;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway;

/// <summary>Settings of the HTTP gateway (Loki's <c>auth_enabled</c>, <c>limits_config</c> and distributor settings).</summary>
public sealed record GatewayOptions
{
    /// <summary><c>auth_enabled</c>: when false every request is tenant <c>fake</c>.</summary>
    public bool AuthEnabled { get; init; }

    /// <summary>Largest push body accepted on the wire (Loki's server default for gRPC/HTTP messages is 100 MB).</summary>
    public long MaxPushBodyBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Largest decompressed push body (bomb guard for gzip/deflate/snappy).</summary>
    public long MaxDecompressedPushBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Validation limits applied to pushes (<c>limits_config</c>).</summary>
    public ValidationLimits Limits { get; init; } = new();

    /// <summary>Retention and deletion limits (<c>limits_config.retention_period|retention_stream|deletion_mode</c>).</summary>
    public Grains.Compactor.CompactorLimits Compactor { get; init; } = new();

    /// <summary>Query limits (<c>limits_config</c> query keys and <c>query_range</c> settings).</summary>
    public QueryLimits Query { get; init; } = new();

    /// <summary>Ingestion rate and stream limits (<c>limits_config</c>).</summary>
    public IngestionLimits Ingestion { get; init; } = new();

    /// <summary><c>runtime_config</c>: per-tenant overrides reloaded at run time.</summary>
    public RuntimeConfigOptions RuntimeConfig { get; init; } = new();

    /// <summary><c>auth</c> (ours, not Loki's): bearer tokens and basic-auth users with the tenants they may use.</summary>
    public AuthOptions Auth { get; init; } = new();

    /// <summary>The query frontend's queue: <c>frontend.max_outstanding_per_tenant</c>, <c>querier.max_concurrent</c>.</summary>
    public Orleans.Loki.Gateway.Query.Frontend.FrontendOptions Frontend { get; init; } = new();

    /// <summary><c>query_range.cache_results</c> and <c>query_range.results_cache</c>: the metric split results cache.</summary>
    public Orleans.Loki.Gateway.Query.Frontend.ResultsCacheOptions ResultsCache { get; init; } = new();

    /// <summary><c>querier.tail_max_duration</c>: a live tail is closed after this long.</summary>
    public TimeSpan TailMaxDuration { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>Per-query limits, Loki's names and defaults.</summary>
public sealed record QueryLimits
{
    /// <summary><c>max_entries_limit_per_query</c>; 0 (as in Loki) disables the check.</summary>
    public int MaxEntriesLimitPerQuery { get; init; } = 5000;

    /// <summary>
    /// <c>max_query_series</c>: the most series a metric query may return. As in Loki's engine, an instant query (or a
    /// range query's first step) with more series than this fails, also when it is 0; later steps are checked only
    /// when it is positive.
    /// </summary>
    public int MaxQuerySeries { get; init; } = 500;

    /// <summary><c>max_query_length</c> (30d1h); 0 disables the check.</summary>
    public TimeSpan MaxQueryLength { get; init; } = TimeSpan.FromHours(30 * 24 + 1);

    /// <summary>
    /// <c>max_query_lookback</c>: queries see no data older than now − this; a range reaching further back is cut
    /// (not refused), one wholly before it answers empty. 0 (the default) disables it.
    /// </summary>
    public TimeSpan MaxQueryLookback { get; init; } = TimeSpan.Zero;

    /// <summary><c>query_timeout</c>.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>split_queries_by_interval</c>; 0 disables splitting.</summary>
    public TimeSpan SplitQueriesByInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>split_instant_metric_queries_by_interval</c> (read; instant queries run unsplit, which gives the same values).</summary>
    public TimeSpan SplitInstantMetricQueriesByInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>max_query_parallelism</c>.</summary>
    public int MaxQueryParallelism { get; init; } = 32;

    /// <summary>
    /// <c>tsdb_max_query_parallelism</c>: Loki uses it instead of <c>max_query_parallelism</c> for TSDB periods; here
    /// it applies when <c>max_query_parallelism</c> is 0. Both 0: querying is disabled (429).
    /// </summary>
    public int TsdbMaxQueryParallelism { get; init; } = 128;

    /// <summary>Splits run at once: <c>max_query_parallelism</c>, else <c>tsdb_max_query_parallelism</c>; 0 when both are 0.</summary>
    public int EffectiveParallelism => MaxQueryParallelism > 0 ? MaxQueryParallelism : Math.Max(0, TsdbMaxQueryParallelism);

    /// <summary>The oldest time (ns) a query may read at <paramref name="nowNs"/>; <see cref="long.MinValue"/> without <c>max_query_lookback</c>.</summary>
    public long LookbackStartNs(long nowNs) => MaxQueryLookback > TimeSpan.Zero ? nowNs - MaxQueryLookback.Ticks * 100 : long.MinValue;

    /// <summary><c>max_concurrent_tail_requests</c>: live tails of one tenant at a time, cluster-wide.</summary>
    public int MaxConcurrentTailRequests { get; init; } = 10;

    /// <summary><c>max_cache_freshness_per_query</c>: metric splits whose last step is newer than this are not cached.</summary>
    public TimeSpan MaxCacheFreshness { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>max_export_bytes</c> (ours): the largest response of <c>/loki/api/v1/export</c>; 0 for no limit.</summary>
    public long MaxExportBytes { get; init; } = 10L * 1024 * 1024 * 1024;
}
