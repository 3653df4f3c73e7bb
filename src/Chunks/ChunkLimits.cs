namespace Orleans.Loki.Chunks;

/// <summary>
/// Hard limits of the chunk and entry-batch formats. Writers refuse to produce data beyond them and
/// readers treat anything beyond them as corruption, so a flipped length byte can never make a reader
/// allocate gigabytes.
/// </summary>
public static class ChunkLimits
{
    /// <summary>
    /// Largest line a chunk accepts. Loki's default <c>max_line_size</c> is 256 KB and is usually raised at most
    /// to a few MB; 16 MiB leaves room for that while bounding a block (a block can hold one oversized line).
    /// </summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    /// <summary>Largest structured-metadata pair count per entry (Loki limits the metadata size to 64 KB by default).</summary>
    public const int MaxMetadataPairs = 4096;

    /// <summary>
    /// Largest structured metadata of one entry, names plus values in UTF-8 bytes. Loki's default
    /// <c>max_structured_metadata_size</c> is 64 KB; this is the format's ceiling, not the policy.
    /// </summary>
    public const int MaxMetadataBytes = 1024 * 1024;

    /// <summary>
    /// Largest uncompressed block. The head block is cut before an append would pass it, so a block holds at most
    /// this much; readers reject larger declared sizes before allocating the decompression buffer.
    /// </summary>
    public const int MaxBlockUncompressedBytes = 64 * 1024 * 1024;

    /// <summary>Largest <see cref="ChunkOptions.BlockSize"/>: half the block limit, so one more line always fits after the threshold.</summary>
    public const int MaxBlockSizeOption = MaxBlockUncompressedBytes / 2;

    /// <summary>Largest canonical label string stored in a chunk (Loki's label limits keep real ones under a few KB).</summary>
    public const int MaxLabelsBytes = 1024 * 1024;

    /// <summary>
    /// Largest entry-batch payload. Loki's default gRPC message limit for pushes is 100 MB; a batch never spans more
    /// than one push request, so 256 MiB bounds a record with room to spare and still fits the u32 length field.
    /// </summary>
    public const int MaxEntryBatchBytes = 256 * 1024 * 1024;

    /// <summary>Largest token filter per block; filters are sized from the block, and this caps the index section for huge blocks.</summary>
    public const int MaxTokenFilterBytes = 64 * 1024;
}
