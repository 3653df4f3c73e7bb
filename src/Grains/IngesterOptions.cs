namespace Orleans.Loki.Grains;

/// <summary>
/// Ingester settings (Loki's <c>ingester</c> block). Defaults are Loki's.
/// </summary>
public sealed record IngesterOptions
{
    /// <summary><c>ingester.chunk_block_size</c>: uncompressed bytes at which the head block is cut and compressed.</summary>
    public int ChunkBlockSize { get; init; } = 256 * 1024;

    /// <summary>
    /// <c>ingester.chunk_compression_level</c> (ours): <c>fast</c> (default, LZ4's fast mode) or <c>hc</c> (LZ4 HC
    /// level 3): about 25% smaller chunks for roughly four times the compression CPU, which halves ingest per core.
    /// Both read back the same.
    /// </summary>
    public bool ChunkHighCompression { get; init; }

    /// <summary><c>ingester.chunk_target_size</c>: compressed size at which a chunk is closed and flushed.</summary>
    public int ChunkTargetSize { get; init; } = 1_572_864;

    /// <summary><c>ingester.max_chunk_age</c>: a chunk older than this (first to last entry, or since its first append) is flushed.
    /// Also bounds out-of-order writes: entries older than newest − max_chunk_age/2 are rejected as too_far_behind.</summary>
    public TimeSpan MaxChunkAge { get; init; } = TimeSpan.FromHours(2);

    /// <summary><c>ingester.chunk_idle_period</c>: a chunk that received nothing for this long is flushed.</summary>
    public TimeSpan ChunkIdlePeriod { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary><c>ingester.flush_check_period</c>: how often a stream grain checks whether to flush.</summary>
    public TimeSpan FlushCheckPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>querier.query_ingesters_within</c>: queries ask stream grains for unflushed data only when the query range
    /// overlaps now − this; 0 (as in Loki) asks them for every query.
    /// </summary>
    public TimeSpan QueryIngestersWithin { get; init; } = TimeSpan.FromHours(3);

    /// <summary>The oldest time (ns) whose data may still be only in stream grains; <see cref="long.MinValue"/> when <see cref="QueryIngestersWithin"/> is 0.</summary>
    public long IngesterWindowStartNs(long nowNs) =>
        QueryIngestersWithin > TimeSpan.Zero ? nowNs - QueryIngestersWithin.Ticks * 100 : long.MinValue;

    /// <summary>Stream grains without traffic are deactivated (after flushing) once idle this long.</summary>
    public TimeSpan StreamIdleDeactivation { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// <c>ingester.max_unflushed_bytes</c> (ours): unflushed in-memory data per silo above which pushes are refused
    /// with 503 while the largest streams are flushed early. Null (not configured): 30% of the memory available to the
    /// process; 0: no cap.
    /// </summary>
    public long? MaxUnflushedBytes { get; init; }

    /// <summary>Validates the settings; returns the first problem, or null.</summary>
    public string? Validate()
    {
        if (ChunkBlockSize < 1024) { return "ingester.chunk_block_size must be at least 1024 bytes"; }
        if (ChunkTargetSize < ChunkBlockSize / 8) { return "ingester.chunk_target_size is too small for the block size"; }
        // 0 is Loki's "flush at every flush check" (and, for max_chunk_age, no out-of-order window).
        if (MaxChunkAge < TimeSpan.Zero) { return "ingester.max_chunk_age must not be negative"; }
        if (ChunkIdlePeriod < TimeSpan.Zero) { return "ingester.chunk_idle_period must not be negative"; }
        if (QueryIngestersWithin < TimeSpan.Zero) { return "querier.query_ingesters_within must not be negative"; }
        if (FlushCheckPeriod <= TimeSpan.Zero) { return "ingester.flush_check_period must be positive"; }
        if (MaxUnflushedBytes < 0) { return "ingester.max_unflushed_bytes must not be negative"; }
        return null;
    }
}
