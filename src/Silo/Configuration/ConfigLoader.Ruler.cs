using Orleans.Loki.Ruler;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>The <c>ruler:</c> section and the ruler's <c>limits_config</c> keys (Loki's names and defaults).</summary>
public static partial class ConfigLoader
{
    private static readonly string[] s_rulerSections = ["ruler", "ruler.storage", "ruler.storage.local", "ruler.remote_write"];

    private static readonly Dictionary<string, Setter> s_rulerSetters = new(StringComparer.Ordinal)
    {
        ["ruler.enable_api"] = (s, v, k) => Ruler(s, r => r with { EnableApi = ParseBool(k, Scalar(v, k)) }),
        ["ruler.storage.type"] = (s, v, k) => Ruler(s, r => r with { StorageType = Scalar(v, k) }),
        ["ruler.storage.local.directory"] = (s, v, k) => Ruler(s, r => r with { LocalDirectory = Scalar(v, k) }),
        ["ruler.rule_path"] = (_, _, _) => { },
        ["ruler.evaluation_interval"] = (s, v, k) => Ruler(s, r => r with { EvaluationInterval = ParseDuration(k, Scalar(v, k)) }),
        ["ruler.poll_interval"] = (s, v, k) => Ruler(s, r => r with { PollInterval = ParseDuration(k, Scalar(v, k)) }),
        ["ruler.external_url"] = (s, v, k) => Ruler(s, r => r with { ExternalUrl = Scalar(v, k).TrimEnd('/') }),
        ["ruler.datasource_uid"] = (s, v, k) => Ruler(s, r => r with { DatasourceUid = Scalar(v, k) }),
        ["ruler.external_labels"] = (s, v, k) => Ruler(s, r => r with { ExternalLabels = StringMap(v, k) }),
        ["ruler.alertmanager_url"] = (s, v, k) => Ruler(s, r => r with { AlertmanagerUrl = Scalar(v, k) }),
        ["ruler.enable_alertmanager_v2"] = (s, v, k) => Ruler(s, r => r with { EnableAlertmanagerV2 = ParseBool(k, Scalar(v, k)) }),
        ["ruler.notification_queue_capacity"] = (s, v, k) => Ruler(s, r => r with { NotificationQueueCapacity = ParseInt(k, Scalar(v, k)) }),
        ["ruler.notification_timeout"] = (s, v, k) => Ruler(s, r => r with { NotificationTimeout = ParseDuration(k, Scalar(v, k)) }),
        ["ruler.resend_delay"] = (s, v, k) => Ruler(s, r => r with { ResendDelay = ParseDuration(k, Scalar(v, k)) }),
        ["ruler.for_outage_tolerance"] = (s, v, k) => Ruler(s, r => r with { ForOutageTolerance = ParseDuration(k, Scalar(v, k)) }),
        ["ruler.for_grace_period"] = (s, v, k) => Ruler(s, r => r with { ForGracePeriod = ParseDuration(k, Scalar(v, k)) }),
        ["ruler.remote_write.enabled"] = (s, v, k) => Ruler(s, r => r with { RemoteWrite = r.RemoteWrite with { Enabled = ParseBool(k, Scalar(v, k)) } }),
        ["ruler.remote_write.add_org_id_header"] = (s, v, k) => Ruler(s, r => r with { RemoteWrite = r.RemoteWrite with { AddOrgIdHeader = ParseBool(k, Scalar(v, k)) } }),
        ["ruler.remote_write.config_refresh_period"] = (_, _, _) => { },
        ["ruler.remote_write.client"] = (s, v, k) => Ruler(s, r => r with { RemoteWrite = r.RemoteWrite with { Clients = new(r.RemoteWrite.Clients) { ["default"] = RemoteWriteClient(v, k) } } }),
        ["ruler.remote_write.clients"] = (s, v, k) => Ruler(s, r =>
        {
            if (v is not YamlMappingNode map)
            {
                throw new ConfigException($"config key '{k}' must be a mapping of client ids to remote_write configs");
            }
            var clients = new Dictionary<string, RemoteWriteClientOptions>(r.RemoteWrite.Clients);
            foreach (var (id, client) in map.Children)
            {
                var name = Scalar(id, k);
                clients[name] = RemoteWriteClient(client, $"{k}.{name}");
            }
            return r with { RemoteWrite = r.RemoteWrite with { Clients = clients } };
        }),
        ["limits_config.ruler_max_rules_per_rule_group"] = (s, v, k) => Ruler(s, r => r with { MaxRulesPerRuleGroup = ParseInt(k, Scalar(v, k)) }),
        ["limits_config.ruler_max_rule_groups_per_tenant"] = (s, v, k) => Ruler(s, r => r with { MaxRuleGroupsPerTenant = ParseInt(k, Scalar(v, k)) }),
    };

    private static void Ruler(LokiSettings s, Func<RulerOptions, RulerOptions> change) => s.Ruler = change(s.Ruler);

    private static Dictionary<string, string> StringMap(YamlNode node, string key)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (node is not YamlMappingNode map)
        {
            throw new ConfigException($"config key '{key}' must be a mapping");
        }
        foreach (var (k, v) in map.Children)
        {
            result[Scalar(k, key)] = Scalar(v, $"{key}.{Scalar(k, key)}");
        }
        return result;
    }

    private static RemoteWriteClientOptions RemoteWriteClient(YamlNode node, string key)
    {
        if (node is not YamlMappingNode map)
        {
            throw new ConfigException($"config key '{key}' must be a remote_write mapping");
        }
        var c = new RemoteWriteClientOptions();
        foreach (var (kn, v) in map.Children)
        {
            var name = Scalar(kn, key);
            var full = $"{key}.{name}";
            c = name switch
            {
                "url" => c with { Url = Scalar(v, full) },
                "remote_timeout" => c with { RemoteTimeout = ParseDuration(full, Scalar(v, full)) },
                "headers" => c with { Headers = StringMap(v, full) },
                "name" => c,
                "basic_auth" => BasicAuth(c, v, full),
                "queue_config" => QueueConfig(c, v, full),
                _ => throw new ConfigException($"config key '{full}' is not supported"),
            };
        }
        if (!Uri.TryCreate(c.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigException($"config key '{key}.url' must be an http(s) URL, not '{c.Url}'");
        }
        return c;
    }

    private static RemoteWriteClientOptions BasicAuth(RemoteWriteClientOptions c, YamlNode node, string key)
    {
        var map = StringMap(node, key);
        return c with { BasicAuthUsername = map.GetValueOrDefault("username"), BasicAuthPassword = map.GetValueOrDefault("password") };
    }

    private static RemoteWriteClientOptions QueueConfig(RemoteWriteClientOptions c, YamlNode node, string key)
    {
        foreach (var (k, v) in StringMap(node, key))
        {
            var full = $"{key}.{k}";
            c = k switch
            {
                "capacity" => c with { QueueCapacity = ParseInt(full, v) },
                "max_samples_per_send" => c with { MaxSamplesPerSend = ParseInt(full, v) },
                "min_backoff" => c with { MinBackoff = ParseDuration(full, v) },
                "max_backoff" => c with { MaxBackoff = ParseDuration(full, v) },
                "retry_on_http_429" => c with { RetryOnRateLimit = ParseBool(full, v) },
                "max_retry_duration" => c with { MaxRetryDuration = ParseDuration(full, v) },
                "max_shards" or "min_shards" or "batch_send_deadline" => c,
                _ => throw new ConfigException($"config key '{full}' is not supported"),
            };
        }
        return c;
    }

    private static void ValidateRuler(LokiSettings s)
    {
        var r = s.Ruler;
        if (r.EvaluationInterval <= TimeSpan.Zero)
        {
            throw new ConfigException("ruler.evaluation_interval must be positive");
        }
        if (r.PollInterval <= TimeSpan.Zero)
        {
            throw new ConfigException("ruler.poll_interval must be positive");
        }
        if (r.StorageType == "local" && string.IsNullOrEmpty(r.LocalDirectory))
        {
            throw new ConfigException("ruler.storage.local.directory must be set when ruler.storage.type is local");
        }
        if (r.RemoteWrite.Enabled && r.RemoteWrite.Clients.Count == 0)
        {
            throw new ConfigException("remote-write enabled but no clients are configured");
        }
        try
        {
            Orleans.Loki.Ruler.Notify.AlertmanagerTarget.Parse(r.AlertmanagerUrl, r.EnableAlertmanagerV2);
        }
        catch (FormatException e)
        {
            throw new ConfigException($"ruler.alertmanager_url: {e.Message}");
        }
    }
}
