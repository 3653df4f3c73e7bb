namespace Orleans.Loki.Push;

/// <summary>Per-tenant push limits with Loki's <c>limits_config</c> names and defaults.</summary>
public sealed record ValidationLimits
{
    /// <summary>Loki's default <c>discover_service_name</c> list.</summary>
    public static readonly IReadOnlyList<string> DefaultDiscoverServiceName =
    [
        "service",
        "app",
        "application",
        "app_name",
        "name",
        "app_kubernetes_io_name",
        "container",
        "container_name",
        "k8s_container_name",
        "component",
        "workload",
        "job",
        "k8s_job_name",
    ];

    /// <summary>Loki's default <c>log_level_fields</c>: names (case-sensitive) that carry a level.</summary>
    public static readonly IReadOnlyList<string> DefaultLogLevelFields = ["level", "LEVEL", "Level", "Severity", "severity", "SEVERITY", "lvl", "LVL", "Lvl"];

    /// <summary><c>max_label_names_per_series</c>; <c>service_name</c> is not counted.</summary>
    public int MaxLabelNamesPerSeries { get; init; } = 15;

    /// <summary><c>max_label_name_length</c>, in bytes.</summary>
    public int MaxLabelNameLength { get; init; } = 1024;

    /// <summary><c>max_label_value_length</c>, in bytes.</summary>
    public int MaxLabelValueLength { get; init; } = 2048;

    /// <summary><c>max_line_size</c> in bytes (256KB = 262144); 0 disables the check.</summary>
    public int MaxLineSize { get; init; } = 256 * 1024;

    /// <summary><c>max_line_size_truncate</c>: cut long lines to <see cref="MaxLineSize"/> instead of rejecting them.</summary>
    public bool MaxLineSizeTruncate { get; init; }

    /// <summary><c>reject_old_samples</c>.</summary>
    public bool RejectOldSamples { get; init; } = true;

    /// <summary><c>reject_old_samples_max_age</c>.</summary>
    public TimeSpan RejectOldSamplesMaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary><c>creation_grace_period</c>: how far in the future an entry may be.</summary>
    public TimeSpan CreationGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>max_structured_metadata_size</c> in bytes (64KB); 0 disables the check.</summary>
    public int MaxStructuredMetadataSize { get; init; } = 64 * 1024;

    /// <summary><c>max_structured_metadata_entries_count</c>; 0 disables the check.</summary>
    public int MaxStructuredMetadataEntriesCount { get; init; } = 128;

    /// <summary><c>discover_service_name</c>: labels tried in order to fill <c>service_name</c>; empty disables it.</summary>
    public IReadOnlyList<string> DiscoverServiceName { get; init; } = DefaultDiscoverServiceName;

    /// <summary><c>discover_log_levels</c>: add <c>detected_level</c> structured metadata.</summary>
    public bool DiscoverLogLevels { get; init; } = true;

    /// <summary><c>log_level_fields</c>.</summary>
    public IReadOnlyList<string> LogLevelFields { get; init; } = DefaultLogLevelFields;

    /// <summary><c>log_level_from_json_max_depth</c>: JSON nesting searched for a level field; 0 or less is unlimited.</summary>
    public int LogLevelFromJsonMaxDepth { get; init; } = 2;
}
