namespace Orleans.Loki.Grains.Compactor;

/// <summary>The <c>compactor:</c> section (Loki's keys and defaults).</summary>
public sealed record CompactorOptions
{
    /// <summary><c>compaction_interval</c>: how often the compactor runs.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>apply_retention_interval</c>: retention and delete requests are applied this often; 0 means every run.</summary>
    public TimeSpan ApplyRetentionInterval { get; init; } = TimeSpan.Zero;

    /// <summary><c>retention_enabled</c>: retention and the delete API; without it the compactor only sweeps.</summary>
    public bool RetentionEnabled { get; init; }

    /// <summary><c>retention_delete_delay</c>: a marked chunk object is deleted only once its marker is this old.</summary>
    public TimeSpan RetentionDeleteDelay { get; init; } = TimeSpan.FromHours(2);

    /// <summary><c>retention_delete_worker_count</c>: parallel object deletes of the sweeper.</summary>
    public int RetentionDeleteWorkerCount { get; init; } = 150;

    /// <summary><c>delete_request_cancel_period</c>: requests are applied physically only after this.</summary>
    public TimeSpan DeleteRequestCancelPeriod { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>delete_max_interval</c>: shard length of requests with a filter; 0 = no split.</summary>
    public TimeSpan DeleteMaxInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>delete_batch_size</c>: most delete requests handled per run.</summary>
    public int DeleteBatchSize { get; init; } = 70;

    /// <summary>
    /// <c>cold_chunk_compaction</c> (ours): merge each stream's cold chunks into chunks of twice the ingester's target
    /// size and recompress them with zstd.
    /// </summary>
    public bool ColdChunkCompaction { get; init; } = true;

    /// <summary><c>cold_chunk_age</c> (ours): chunks whose newest entry is older are cold; null = <c>max_chunk_age</c> + 1h.</summary>
    public TimeSpan? ColdChunkAge { get; init; }

    /// <summary><c>cold_chunk_zstd_level</c> (ours): zstd level of recompressed chunks (see bench/RESULTS.md).</summary>
    public int ColdChunkZstdLevel { get; init; } = 9;

    /// <summary>The problem with the options, or null.</summary>
    public string? Validate()
    {
        if (CompactionInterval <= TimeSpan.Zero)
        {
            return "compactor.compaction_interval must be positive";
        }
        if (RetentionDeleteDelay < TimeSpan.Zero || ApplyRetentionInterval < TimeSpan.Zero || DeleteRequestCancelPeriod < TimeSpan.Zero || DeleteMaxInterval < TimeSpan.Zero)
        {
            return "compactor: durations must not be negative";
        }
        if (ColdChunkZstdLevel is < 1 or > 22)
        {
            return "compactor.cold_chunk_zstd_level must be between 1 and 22";
        }
        if (RetentionDeleteWorkerCount < 1 || DeleteBatchSize < 1)
        {
            return "compactor.retention_delete_worker_count and compactor.delete_batch_size must be at least 1";
        }
        return null;
    }
}
