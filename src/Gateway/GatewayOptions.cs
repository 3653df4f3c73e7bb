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
    /// <summary><c>max_entries_limit_per_query</c>.</summary>
    public int MaxEntriesLimitPerQuery { get; init; } = 5000;

    /// <summary><c>max_query_series</c>.</summary>
    public int MaxQuerySeries { get; init; } = 500;

    /// <summary><c>max_query_length</c> (30d1h).</summary>
    public TimeSpan MaxQueryLength { get; init; } = TimeSpan.FromHours(30 * 24 + 1);

    /// <summary><c>query_timeout</c>.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>split_queries_by_interval</c>.</summary>
    public TimeSpan SplitQueriesByInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>max_query_parallelism</c>.</summary>
    public int MaxQueryParallelism { get; init; } = 32;

    /// <summary><c>max_concurrent_tail_requests</c>: live tails of one tenant at a time, cluster-wide.</summary>
    public int MaxConcurrentTailRequests { get; init; } = 10;

    /// <summary><c>max_cache_freshness_per_query</c>: metric splits whose last step is newer than this are not cached.</summary>
    public TimeSpan MaxCacheFreshness { get; init; } = TimeSpan.FromMinutes(10);
}
