namespace Orleans.Loki.Ruler;

/// <summary>The <c>ruler:</c> section, Loki's keys and defaults.</summary>
public sealed record RulerOptions
{
    /// <summary><c>enable_api</c>: the rules API is served.</summary>
    public bool EnableApi { get; init; } = true;

    /// <summary><c>storage.type</c>: <c>local</c>, or empty / an object-store type (then the chunk store holds the rules under <c>rules/</c>).</summary>
    public string StorageType { get; init; } = "";

    /// <summary><c>storage.local.directory</c>.</summary>
    public string? LocalDirectory { get; init; }

    /// <summary><c>evaluation_interval</c>: the default group interval.</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>poll_interval</c>: how often the rule store is read (rule sync).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>external_url</c>: base of every alert's <c>generatorURL</c>.</summary>
    public string ExternalUrl { get; init; } = "";

    /// <summary><c>datasource_uid</c>: the Loki data source in the Explore link.</summary>
    public string DatasourceUid { get; init; } = "";

    /// <summary><c>external_labels</c>: added to every alert (when the alert does not have the label).</summary>
    public Dictionary<string, string> ExternalLabels { get; init; } = [];

    /// <summary><c>alertmanager_url</c>: comma-separated; path = prefix, userinfo = basic auth.</summary>
    public string AlertmanagerUrl { get; init; } = "";

    /// <summary><c>enable_alertmanager_v2</c> (true): false sends to the v1 path.</summary>
    public bool EnableAlertmanagerV2 { get; init; } = true;

    /// <summary><c>notification_queue_capacity</c>: alerts waiting to be sent; the oldest are dropped beyond it.</summary>
    public int NotificationQueueCapacity { get; init; } = 10_000;

    /// <summary><c>notification_timeout</c>: one POST to one Alertmanager.</summary>
    public TimeSpan NotificationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>resend_delay</c>: minimum time between two sends of a firing alert.</summary>
    public TimeSpan ResendDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>for_outage_tolerance</c>: restored <c>for</c> state older than this is dropped.</summary>
    public TimeSpan ForOutageTolerance { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>for_grace_period</c>: a restored pending alert with a longer <c>for</c> waits at least this long before firing.</summary>
    public TimeSpan ForGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>limits_config.ruler_max_rules_per_rule_group</c>: 0 = unlimited.</summary>
    public int MaxRulesPerRuleGroup { get; init; }

    /// <summary><c>limits_config.ruler_max_rule_groups_per_tenant</c>: 0 = unlimited.</summary>
    public int MaxRuleGroupsPerTenant { get; init; }

    /// <summary><c>remote_write</c>: where recording rules' samples go.</summary>
    public RemoteWriteOptions RemoteWrite { get; init; } = new();
}

/// <summary><c>ruler.remote_write</c>.</summary>
public sealed record RemoteWriteOptions
{
    /// <summary><c>enabled</c> (false): without it recording rules' samples are discarded, as in Loki.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>add_org_id_header</c> (true): <c>X-Scope-OrgID</c> = the tenant.</summary>
    public bool AddOrgIdHeader { get; init; } = true;

    /// <summary><c>client</c> and <c>clients</c>: id to client.</summary>
    public Dictionary<string, RemoteWriteClientOptions> Clients { get; init; } = [];
}

/// <summary>One Prometheus <c>remote_write</c> client config (the subset supported).</summary>
public sealed record RemoteWriteClientOptions
{
    public string Url { get; init; } = "";

    /// <summary><c>remote_timeout</c> (30s).</summary>
    public TimeSpan RemoteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>headers</c>: sent with every request (a user-set X-Scope-OrgID is dropped, as Loki does).</summary>
    public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary><c>basic_auth.username</c> / <c>password</c>.</summary>
    public string? BasicAuthUsername { get; init; }
    public string? BasicAuthPassword { get; init; }

    /// <summary><c>queue_config.capacity</c> (10000): samples waiting per tenant; the oldest are dropped beyond it.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary><c>queue_config.max_samples_per_send</c> (2000).</summary>
    public int MaxSamplesPerSend { get; init; } = 2000;

    /// <summary><c>queue_config.min_backoff</c> (30ms) and <c>max_backoff</c> (5s).</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(30);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>queue_config.retry_on_http_429</c> (true in Prometheus 2.x).</summary>
    public bool RetryOnRateLimit { get; init; } = true;

    /// <summary>Ours: a batch is retried for at most this long before its samples are dropped (counted).</summary>
    public TimeSpan MaxRetryDuration { get; init; } = TimeSpan.FromMinutes(1);
}
