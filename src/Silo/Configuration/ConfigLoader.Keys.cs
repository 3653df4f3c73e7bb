using Orleans.Loki.Gateway.Auth;
using Orleans.Loki.Grains.Limits;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>The supported config keys, by their Loki names.</summary>
public static partial class ConfigLoader
{
    private delegate void Setter(LokiSettings settings, YamlNode value, string key);

    private static readonly HashSet<string> s_sections =
    [
        "server", "common", "storage_config", "storage_config.azure", "limits_config", "ingester", "querier",
        "query_range", "cluster", "frontend", "runtime_config", "auth", "distributor",
        "query_range.results_cache", "query_range.results_cache.cache", "query_range.results_cache.cache.embedded_cache",
        "storage_config.aws",
    ];

    private static readonly Dictionary<string, Setter> s_setters = new(StringComparer.Ordinal)
    {
        ["target"] = (s, v, k) => s.Target = Scalar(v, k),
        ["auth_enabled"] = (s, v, k) => s.Gateway = s.Gateway with { AuthEnabled = ParseBool(k, Scalar(v, k)) },
        ["server.http_listen_port"] = (s, v, k) => s.HttpListenPort = ParseInt(k, Scalar(v, k)),
        ["server.http_listen_address"] = (s, v, k) => s.HttpListenAddress = Scalar(v, k),
        ["server.log_level"] = (s, v, k) => s.LogLevel = Scalar(v, k),
        ["server.grpc_listen_port"] = (_, _, _) => { },
        ["common.path_prefix"] = (s, v, k) => s.PathPrefix = Scalar(v, k),
        ["common.replication_factor"] = (_, _, _) => { },
        ["storage_config.azure.connection_string"] = (s, v, k) => s.AzureConnectionString = Scalar(v, k),
        ["storage_config.azure.container_name"] = (s, v, k) => s.AzureContainerName = Scalar(v, k),
        // ---- storage_config.aws: S3 or an S3-compatible server ----
        ["storage_config.aws.endpoint"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { Endpoint = Scalar(v, k) },
        ["storage_config.aws.bucketnames"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { BucketName = Scalar(v, k).Split(',')[0].Trim() },
        ["storage_config.aws.region"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { Region = Scalar(v, k) },
        ["storage_config.aws.access_key_id"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { AccessKeyId = Scalar(v, k) },
        ["storage_config.aws.secret_access_key"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { SecretAccessKey = Scalar(v, k) },
        ["storage_config.aws.s3forcepathstyle"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { ForcePathStyle = ParseBool(k, Scalar(v, k)) },
        ["storage_config.aws.insecure"] = (s, v, k) => s.S3 = (s.S3 ?? new()) with { Insecure = ParseBool(k, Scalar(v, k)) },
        ["storage_config.aws.s3"] = (s, v, k) => s.S3 = S3Url(s.S3 ?? new(), k, Scalar(v, k)),
        // ---- end of storage_config.aws ----

        ["ingester.chunk_block_size"] = (s, v, k) => s.Ingester = s.Ingester with { ChunkBlockSize = (int)ParseBytes(k, Scalar(v, k)) },
        ["ingester.chunk_compression_level"] = (s, v, k) => s.Ingester = s.Ingester with
        {
            ChunkHighCompression = Scalar(v, k) switch
            {
                "hc" => true,
                "fast" => false,
                var other => throw new ConfigException($"config key '{k}' must be fast or hc, not '{other}'"),
            },
        },
        ["ingester.chunk_target_size"] = (s, v, k) => s.Ingester = s.Ingester with { ChunkTargetSize = (int)ParseBytes(k, Scalar(v, k)) },
        ["ingester.max_chunk_age"] = (s, v, k) => s.Ingester = s.Ingester with { MaxChunkAge = ParseDuration(k, Scalar(v, k)) },
        ["ingester.chunk_idle_period"] = (s, v, k) => s.Ingester = s.Ingester with { ChunkIdlePeriod = ParseDuration(k, Scalar(v, k)) },
        ["ingester.flush_check_period"] = (s, v, k) => s.Ingester = s.Ingester with { FlushCheckPeriod = ParseDuration(k, Scalar(v, k)) },
        ["ingester.return_memory_after_flushed_bytes"] = (s, v, k) => s.ReturnMemoryAfterFlushedBytes = (long)ParseBytes(k, Scalar(v, k)),
        ["ingester.max_unflushed_bytes"] = (s, v, k) => s.Ingester = s.Ingester with { MaxUnflushedBytes = (long)ParseBytes(k, Scalar(v, k)) },
        ["querier.tail_max_duration"] = (s, v, k) => s.Gateway = s.Gateway with { TailMaxDuration = ParseDuration(k, Scalar(v, k)) },
        ["querier.query_ingesters_within"] = (s, v, k) => s.Ingester = s.Ingester with { QueryIngestersWithin = ParseDuration(k, Scalar(v, k)) },
        ["querier.max_concurrent"] = (s, v, k) => s.Gateway = s.Gateway with { Frontend = s.Gateway.Frontend with { MaxConcurrent = ParseInt(k, Scalar(v, k)) } },
        ["frontend.max_outstanding_per_tenant"] = (s, v, k) => s.Gateway = s.Gateway with { Frontend = s.Gateway.Frontend with { MaxOutstandingPerTenant = ParseInt(k, Scalar(v, k)) } },

        ["limits_config.max_label_names_per_series"] = (s, v, k) => Limits(s, l => l with { MaxLabelNamesPerSeries = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_label_name_length"] = (s, v, k) => Limits(s, l => l with { MaxLabelNameLength = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_label_value_length"] = (s, v, k) => Limits(s, l => l with { MaxLabelValueLength = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_line_size"] = (s, v, k) => Limits(s, l => l with { MaxLineSize = (int)ParseBytes(k, Scalar(v, k)) }),
        ["limits_config.max_line_size_truncate"] = (s, v, k) => Limits(s, l => l with { MaxLineSizeTruncate = ParseBool(k, Scalar(v, k)) }),
        ["limits_config.reject_old_samples"] = (s, v, k) => Limits(s, l => l with { RejectOldSamples = ParseBool(k, Scalar(v, k)) }),
        ["limits_config.reject_old_samples_max_age"] = (s, v, k) => Limits(s, l => l with { RejectOldSamplesMaxAge = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.creation_grace_period"] = (s, v, k) => Limits(s, l => l with { CreationGracePeriod = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.max_structured_metadata_size"] = (s, v, k) => Limits(s, l => l with { MaxStructuredMetadataSize = (int)ParseBytes(k, Scalar(v, k)) }),
        ["limits_config.max_structured_metadata_entries_count"] = (s, v, k) => Limits(s, l => l with { MaxStructuredMetadataEntriesCount = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.discover_log_levels"] = (s, v, k) => Limits(s, l => l with { DiscoverLogLevels = ParseBool(k, Scalar(v, k)) }),
        ["limits_config.discover_service_name"] = (s, v, k) => Limits(s, l => l with { DiscoverServiceName = StringList(v, k) }),

        ["limits_config.max_entries_limit_per_query"] = (s, v, k) => Query(s, q => q with { MaxEntriesLimitPerQuery = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_query_series"] = (s, v, k) => Query(s, q => q with { MaxQuerySeries = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_query_length"] = (s, v, k) => Query(s, q => q with { MaxQueryLength = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.query_timeout"] = (s, v, k) => Query(s, q => q with { QueryTimeout = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.split_queries_by_interval"] = (s, v, k) => Query(s, q => q with { SplitQueriesByInterval = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.max_query_parallelism"] = (s, v, k) => Query(s, q => q with { MaxQueryParallelism = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_concurrent_tail_requests"] = (s, v, k) => Query(s, q => q with { MaxConcurrentTailRequests = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.max_cache_freshness_per_query"] = (s, v, k) => Query(s, q => q with { MaxCacheFreshness = ParseDuration(k, Scalar(v, k)) }),
        // Ours: the export endpoint's size limit.
        ["limits_config.max_export_bytes"] = (s, v, k) => Query(s, q => q with { MaxExportBytes = ParseBytes(k, Scalar(v, k)) }),

        ["query_range.cache_results"] = (s, v, k) => s.Gateway = s.Gateway with { ResultsCache = s.Gateway.ResultsCache with { Enabled = ParseBool(k, Scalar(v, k)) } },
        // The embedded cache is the one cache backend: "enabled" selects it, as Loki's default does when none is set.
        ["query_range.results_cache.cache.embedded_cache.enabled"] = (_, v, k) => ParseBool(k, Scalar(v, k)),
        ["query_range.results_cache.cache.embedded_cache.max_size_mb"] = (s, v, k) => s.Gateway = s.Gateway with { ResultsCache = s.Gateway.ResultsCache with { MaxBytes = (long)(ParseDouble(k, Scalar(v, k)) * 1024 * 1024) } },
        ["query_range.results_cache.cache.embedded_cache.ttl"] = (s, v, k) => s.Gateway = s.Gateway with { ResultsCache = s.Gateway.ResultsCache with { Ttl = ParseDuration(k, Scalar(v, k)) } },

        ["limits_config.ingestion_rate_mb"] = (s, v, k) => Ingestion(s, l => l with { IngestionRateMb = ParseDouble(k, Scalar(v, k)) }),
        ["limits_config.ingestion_burst_size_mb"] = (s, v, k) => Ingestion(s, l => l with { IngestionBurstSizeMb = ParseDouble(k, Scalar(v, k)) }),
        ["limits_config.ingestion_rate_strategy"] = (s, v, k) => Ingestion(s, l => l with { IngestionRateStrategy = Scalar(v, k) }),
        ["limits_config.per_stream_rate_limit"] = (s, v, k) => Ingestion(s, l => l with { PerStreamRateLimit = ParseBytes(k, Scalar(v, k)) }),
        ["limits_config.per_stream_rate_limit_burst"] = (s, v, k) => Ingestion(s, l => l with { PerStreamRateLimitBurst = ParseBytes(k, Scalar(v, k)) }),
        ["limits_config.max_global_streams_per_user"] = (s, v, k) => Ingestion(s, l => l with { MaxGlobalStreamsPerUser = ParseInt(k, Scalar(v, k)) }),

        ["distributor.max_recv_msg_size"] = (s, v, k) => s.Gateway = s.Gateway with { MaxPushBodyBytes = ParseBytes(k, Scalar(v, k)) },
        ["distributor.max_decompressed_size"] = (s, v, k) => s.Gateway = s.Gateway with { MaxDecompressedPushBytes = ParseBytes(k, Scalar(v, k)) },

        ["runtime_config.file"] = (s, v, k) => s.Gateway = s.Gateway with { RuntimeConfig = s.Gateway.RuntimeConfig with { File = Scalar(v, k) } },
        ["runtime_config.period"] = (s, v, k) => s.Gateway = s.Gateway with { RuntimeConfig = s.Gateway.RuntimeConfig with { Period = ParseDuration(k, Scalar(v, k)) } },
        ["auth.tokens"] = (s, v, k) => AddCredentials(s, v, k, AuthScheme.Bearer),
        ["auth.basic"] = (s, v, k) => AddCredentials(s, v, k, AuthScheme.Basic),

        ["cluster.provider"] = (s, v, k) => s.Cluster.Provider = Scalar(v, k),
        ["cluster.silo_port"] = (s, v, k) => s.Cluster.SiloPort = ParseInt(k, Scalar(v, k)),
        ["cluster.gateway_port"] = (s, v, k) => s.Cluster.GatewayPort = ParseInt(k, Scalar(v, k)),
        ["cluster.cluster_id"] = (s, v, k) => s.Cluster.ClusterId = Scalar(v, k),
        ["cluster.service_id"] = (s, v, k) => s.Cluster.ServiceId = Scalar(v, k),
        ["cluster.advertised_address"] = (s, v, k) => s.Cluster.AdvertisedAddress = Scalar(v, k),
    };

    /// <summary>Every supported key, for the README and for tests.</summary>
    public static IReadOnlyCollection<string> SupportedKeys => [.. s_setters.Keys, .. s_rulerSetters.Keys, .. s_compatSetters.Keys];

    private static void Limits(LokiSettings s, Func<Orleans.Loki.Push.ValidationLimits, Orleans.Loki.Push.ValidationLimits> change) =>
        s.Gateway = s.Gateway with { Limits = change(s.Gateway.Limits) };

    private static void Ingestion(LokiSettings s, Func<IngestionLimits, IngestionLimits> change) =>
        s.Gateway = s.Gateway with { Ingestion = change(s.Gateway.Ingestion) };

    private static void Query(LokiSettings s, Func<Orleans.Loki.Gateway.QueryLimits, Orleans.Loki.Gateway.QueryLimits> change) =>
        s.Gateway = s.Gateway with { Query = change(s.Gateway.Query) };

    private static string[] StringList(YamlNode node, string key) => node switch
    {
        YamlSequenceNode seq => [.. seq.Children.Select(c => Scalar(c, key))],
        YamlScalarNode { Value: null or "" } => [],
        YamlScalarNode s => [.. s.Value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
        _ => throw new ConfigException($"config key '{key}' must be a list of strings"),
    };
}
