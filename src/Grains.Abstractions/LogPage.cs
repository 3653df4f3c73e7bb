namespace Orleans.Loki.Grains.Abstractions;

/// <summary>Selected log entries of a sub-query, grouped by their labels after the pipeline.</summary>
[GenerateSerializer, Immutable, Alias("LogPage")]
public sealed record LogPage(
    [property: Id(0)] IReadOnlyList<LogPageStream> Streams,
    [property: Id(1)] ReadStats Stats);

/// <summary>
/// Entries of one result stream as parallel arrays. Label pairs are flattened <c>name, value, name, value…</c>;
/// per-entry structured metadata and parsed labels are null when empty.
/// </summary>
[GenerateSerializer, Immutable, Alias("LogPageStream")]
public sealed record LogPageStream(
    [property: Id(0)] string Labels,
    [property: Id(1)] string[] LabelPairs,
    [property: Id(2)] long[] Timestamps,
    [property: Id(3)] string[] Lines,
    [property: Id(4)] string[]?[] StructuredMetadata,
    [property: Id(5)] string[]?[] Parsed);

/// <summary>Extracted samples of a sub-query, one entry per output series.</summary>
[GenerateSerializer, Immutable, Alias("SamplePage")]
public sealed record SamplePage(
    [property: Id(0)] IReadOnlyList<SamplePageSeries> Series,
    [property: Id(1)] ReadStats Stats);

/// <summary>
/// Samples of one series as parallel arrays, in no particular order; label pairs flattened as in <see cref="LogPageStream"/>.
/// For a request with <see cref="SelectRequest.Windows"/>: one value per non-empty window, at the window's end, in order.
/// </summary>
[GenerateSerializer, Immutable, Alias("SamplePageSeries")]
public sealed record SamplePageSeries(
    [property: Id(0)] string Labels,
    [property: Id(1)] string[] LabelPairs,
    [property: Id(2)] long[] Timestamps,
    [property: Id(3)] double[] Values);

/// <summary>What a sub-query read and processed (the numbers behind the response's stats block).</summary>
[GenerateSerializer, Alias("ReadStats")]
public sealed class ReadStats
{
    /// <summary>Lines from flushed chunks that went through the pipeline.</summary>
    [Id(0)] public long ChunkLines { get; set; }

    /// <summary>Bytes of those lines.</summary>
    [Id(1)] public long ChunkBytes { get; set; }

    /// <summary>Lines from in-memory (unflushed) data that went through the pipeline.</summary>
    [Id(2)] public long HeadLines { get; set; }

    /// <summary>Bytes of those lines.</summary>
    [Id(3)] public long HeadBytes { get; set; }

    /// <summary>Chunk objects fetched from the object store.</summary>
    [Id(4)] public long ChunksFetched { get; set; }

    /// <summary>Compressed bytes fetched.</summary>
    [Id(5)] public long CompressedBytes { get; set; }

    /// <summary>Blocks decompressed.</summary>
    [Id(6)] public long BlocksDecompressed { get; set; }

    /// <summary>Bytes after decompression.</summary>
    [Id(7)] public long DecompressedBytes { get; set; }

    /// <summary>Entries dropped as exact duplicates (same timestamp and line stored twice).</summary>
    [Id(8)] public long Duplicates { get; set; }

    /// <summary>Adds another sub-query's counters (not thread-safe: callers serialise).</summary>
    public void Add(ReadStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ChunkLines += other.ChunkLines;
        ChunkBytes += other.ChunkBytes;
        HeadLines += other.HeadLines;
        HeadBytes += other.HeadBytes;
        ChunksFetched += other.ChunksFetched;
        CompressedBytes += other.CompressedBytes;
        BlocksDecompressed += other.BlocksDecompressed;
        DecompressedBytes += other.DecompressedBytes;
        Duplicates += other.Duplicates;
    }
}
