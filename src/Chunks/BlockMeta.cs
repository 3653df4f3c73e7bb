namespace Orleans.Loki.Chunks;

/// <summary>Index entry of one compressed block of a chunk.</summary>
public sealed class BlockMeta
{
    internal BlockMeta(long minTimeNs, long maxTimeNs, int entryCount, long offset, int length, int uncompressedLength, uint crc32C, ReadOnlyMemory<byte> tokenFilter)
    {
        MinTimeNs = minTimeNs;
        MaxTimeNs = maxTimeNs;
        EntryCount = entryCount;
        Offset = offset;
        Length = length;
        UncompressedLength = uncompressedLength;
        Crc32C = crc32C;
        TokenFilter = tokenFilter;
    }

    /// <summary>Smallest entry timestamp in the block.</summary>
    public long MinTimeNs { get; }

    /// <summary>Largest entry timestamp in the block.</summary>
    public long MaxTimeNs { get; }

    public int EntryCount { get; }

    /// <summary>Offset of the compressed block from the start of the chunk.</summary>
    public long Offset { get; }

    /// <summary>Compressed length in bytes.</summary>
    public int Length { get; }

    /// <summary>Length of the block after decompression.</summary>
    public int UncompressedLength { get; }

    /// <summary>CRC-32C of the compressed bytes.</summary>
    public uint Crc32C { get; }

    /// <summary>Trigram bloom filter bytes; empty when the block has none.</summary>
    public ReadOnlyMemory<byte> TokenFilter { get; }

    /// <summary>Whether the block overlaps the half-open range [<paramref name="fromNs"/>, <paramref name="throughNs"/>).</summary>
    public bool Overlaps(long fromNs, long throughNs) => MaxTimeNs >= fromNs && MinTimeNs < throughNs;

    /// <summary>
    /// False only when no line of the block can contain <paramref name="literal"/> (as bytes, or ignoring ASCII case).
    /// True when it may, when the literal is shorter than 3 bytes, or when the block has no filter.
    /// </summary>
    public bool MayContain(ReadOnlySpan<byte> literal) => Chunks.TokenFilter.MayContain(TokenFilter.Span, literal);
}
