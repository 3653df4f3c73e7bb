namespace Orleans.Loki.Silo.Configuration;

/// <summary>
/// Loki keys read for compatibility with Loki's own files: the query-frontend and query-range blocks, and the
/// limits whose value changes results. Keys that only tune Loki's internals are read (their value must parse) and
/// have no effect here; they are listed so that they do not produce "unknown key" warnings.
/// </summary>
public static partial class ConfigLoader
{
    private static readonly string[] s_compatSections = ["query_scheduler"];

    private static readonly Dictionary<string, Setter> s_compatSetters = new(StringComparer.Ordinal)
    {
        ["limits_config.max_query_lookback"] = (s, v, k) => Query(s, q => q with { MaxQueryLookback = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.tsdb_max_query_parallelism"] = (s, v, k) => Query(s, q => q with { TsdbMaxQueryParallelism = ParseInt(k, Scalar(v, k)) }),
        // Instant metric queries run unsplit: every window is evaluated whole, which is what Loki's split recombines to.
        ["limits_config.split_instant_metric_queries_by_interval"] = (s, v, k) => Query(s, q => q with { SplitInstantMetricQueriesByInterval = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.split_metadata_queries_by_interval"] = (_, v, k) => ParseDuration(k, Scalar(v, k)),
        ["limits_config.max_query_range"] = (_, v, k) => ParseDuration(k, Scalar(v, k)),
        ["limits_config.max_streams_matchers_per_query"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        ["limits_config.max_chunks_per_query"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        ["limits_config.cardinality_limit"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        ["limits_config.volume_enabled"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["limits_config.allow_structured_metadata"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["limits_config.metric_aggregation_enabled"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["limits_config.unordered_writes"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["limits_config.max_streams_per_user"] = (_, v, k) => ParseInt(k, Scalar(v, k)),

        // query_range: results are always those of the whole query; sharding and retries change only how Loki gets them.
        ["query_range.align_queries_with_step"] = (s, v, k) => s.Gateway = s.Gateway with { Frontend = s.Gateway.Frontend with { AlignQueriesWithStep = ParseBool(k, Scalar(v, k)) } },
        ["query_range.parallelise_shardable_queries"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.shard_aggregations"] = (_, v, k) => StringList(v, k),
        ["query_range.max_retries"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        ["query_range.cache_index_stats_results"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.cache_volume_results"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.cache_series_results"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.cache_label_results"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.cache_instant_metric_results"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.results_cache.compression"] = (_, v, k) => Scalar(v, k),

        // frontend: this process is its own frontend; these shape Loki's frontend-to-querier traffic only.
        ["frontend.encoding"] = (_, v, k) => OneOf(k, Scalar(v, k), "json", "protobuf"),
        ["frontend.log_queries_longer_than"] = (_, v, k) => ParseDuration(k, Scalar(v, k)),
        ["frontend.compress_responses"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["frontend.max_body_size"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        ["frontend.query_stats_enabled"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["frontend.scheduler_address"] = (_, v, k) => Scalar(v, k),
        ["frontend.scheduler_dns_lookup_period"] = (_, v, k) => ParseDuration(k, Scalar(v, k)),
        ["frontend.scheduler_worker_concurrency"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        ["frontend.querier_forget_delay"] = (_, v, k) => ParseDuration(k, Scalar(v, k)),
        ["frontend.downstream_url"] = (_, v, k) => Scalar(v, k),
        ["frontend.tail_proxy_url"] = (_, v, k) => Scalar(v, k),
        ["frontend.address"] = (_, v, k) => Scalar(v, k),
        ["frontend.port"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
        // The queue of this process is the frontend's (frontend.max_outstanding_per_tenant); there is no separate scheduler.
        ["query_scheduler.max_outstanding_requests_per_tenant"] = (_, v, k) => ParseInt(k, Scalar(v, k)),
    };

    private static string OneOf(string key, string value, params string[] allowed) =>
        Array.IndexOf(allowed, value) >= 0
            ? value
            : throw new ConfigException($"config key '{key}': '{value}' is not one of {string.Join(", ", allowed)}");
}
