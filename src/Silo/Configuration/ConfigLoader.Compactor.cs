using Orleans.Loki.Grains.Compactor;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>The <c>compactor:</c> section and the retention/deletion keys of <c>limits_config</c> (Loki's names and defaults).</summary>
public static partial class ConfigLoader
{
    private static readonly Dictionary<string, Setter> s_compactorSetters = new(StringComparer.Ordinal)
    {
        ["compactor.working_directory"] = (_, _, _) => { },
        ["compactor.compaction_interval"] = (s, v, k) => Compactor(s, c => c with { CompactionInterval = ParseDuration(k, Scalar(v, k)) }),
        ["compactor.apply_retention_interval"] = (s, v, k) => Compactor(s, c => c with { ApplyRetentionInterval = ParseDuration(k, Scalar(v, k)) }),
        ["compactor.retention_enabled"] = (s, v, k) => Compactor(s, c => c with { RetentionEnabled = ParseBool(k, Scalar(v, k)) }),
        ["compactor.retention_delete_delay"] = (s, v, k) => Compactor(s, c => c with { RetentionDeleteDelay = ParseDuration(k, Scalar(v, k)) }),
        ["compactor.retention_delete_worker_count"] = (s, v, k) => Compactor(s, c => c with { RetentionDeleteWorkerCount = ParseInt(k, Scalar(v, k)) }),
        ["compactor.delete_request_cancel_period"] = (s, v, k) => Compactor(s, c => c with { DeleteRequestCancelPeriod = ParseDuration(k, Scalar(v, k)) }),
        ["compactor.delete_max_interval"] = (s, v, k) => Compactor(s, c => c with { DeleteMaxInterval = ParseDuration(k, Scalar(v, k)) }),
        ["compactor.delete_batch_size"] = (s, v, k) => Compactor(s, c => c with { DeleteBatchSize = ParseInt(k, Scalar(v, k)) }),
        ["compactor.cold_chunk_compaction"] = (s, v, k) => Compactor(s, c => c with { ColdChunkCompaction = ParseBool(k, Scalar(v, k)) }),
        ["compactor.cold_chunk_age"] = (s, v, k) => Compactor(s, c => c with { ColdChunkAge = ParseDuration(k, Scalar(v, k)) }),
        ["compactor.cold_chunk_zstd_level"] = (s, v, k) => Compactor(s, c => c with { ColdChunkZstdLevel = ParseInt(k, Scalar(v, k)) }),
        // The delete requests live in grain storage "loki-state", next to the object store.
        ["compactor.delete_request_store"] = (_, _, _) => { },
        ["limits_config.retention_period"] = (s, v, k) => Limits(s, l => l with { RetentionPeriod = ParseDuration(k, Scalar(v, k)) }),
        ["limits_config.deletion_mode"] = (s, v, k) =>
        {
            var mode = Scalar(v, k);
            if (CompactorLimits.ValidateDeletionMode(mode) is { } problem)
            {
                throw new ConfigException(problem);
            }
            Limits(s, l => l with { DeletionMode = mode });
        },
        ["limits_config.retention_stream"] = (s, v, k) => Limits(s, l => l with { RetentionStreams = RetentionStreams(v, k) }),
    };

    private static void Compactor(LokiSettings s, Func<CompactorOptions, CompactorOptions> change) => s.Compactor = change(s.Compactor);

    private static void Limits(LokiSettings s, Func<CompactorLimits, CompactorLimits> change) =>
        s.Gateway = s.Gateway with { Compactor = change(s.Gateway.Compactor) };

    private static List<RetentionStreamRule> RetentionStreams(YamlNode node, string key)
    {
        var result = new List<RetentionStreamRule>();
        if (node is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (node is not YamlSequenceNode list)
        {
            throw new ConfigException($"config key '{key}' must be a list of {{selector, priority, period}}");
        }
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode map)
            {
                throw new ConfigException($"config key '{key}' must be a list of {{selector, priority, period}}");
            }
            string selector = "";
            var priority = 0;
            var period = TimeSpan.Zero;
            foreach (var (kn, vn) in map.Children)
            {
                var name = Scalar(kn, key);
                var value = Scalar(vn, $"{key}.{name}");
                switch (name)
                {
                    case "selector": selector = value; break;
                    case "priority": priority = ParseInt($"{key}.priority", value); break;
                    case "period": period = ParseDuration($"{key}.period", value); break;
                    default: throw new ConfigException($"config key '{key}': unknown field '{name}'");
                }
            }
            var rule = new RetentionStreamRule(selector, priority, period);
            if (rule.Validate() is { } problem)
            {
                throw new ConfigException(problem);
            }
            result.Add(rule);
        }
        return result;
    }

    private static void ValidateCompactor(LokiSettings s)
    {
        if (s.Compactor.Validate() is { } problem)
        {
            throw new ConfigException(problem);
        }
    }
}
