namespace Orleans.Loki.Chunks;

/// <summary>
/// Read access to an encoded chunk. <see cref="Open"/> validates the header, footer and index; each block's
/// checksum is verified when (and only if) the block is decompressed. Safe for concurrent iteration.
/// </summary>
public sealed class ChunkReader
{
    private readonly ReadOnlyMemory<byte> _chunk;
    private readonly BlockMeta[] _blocks;
    private int _blocksDecompressed;

    private ChunkReader(ReadOnlyMemory<byte> chunk, string labels, BlockMeta[] blocks)
    {
        _chunk = chunk;
        Labels = labels;
        _blocks = blocks;
        if (blocks.Length > 0)
        {
            MinTimeNs = blocks.Min(b => b.MinTimeNs);
            MaxTimeNs = blocks.Max(b => b.MaxTimeNs);
            EntryCount = blocks.Sum(b => b.EntryCount);
        }
    }

    /// <summary>The stream's canonical label string, as given to <see cref="MemChunk.Encode"/>.</summary>
    public string Labels { get; }

    /// <summary>Smallest entry timestamp; 0 for a chunk without entries.</summary>
    public long MinTimeNs { get; }

    /// <summary>Largest entry timestamp; 0 for a chunk without entries.</summary>
    public long MaxTimeNs { get; }

    public int EntryCount { get; }

    public IReadOnlyList<BlockMeta> Blocks => _blocks;

    /// <summary>Blocks decompressed so far by this reader (a pruning statistic).</summary>
    public int BlocksDecompressed => Volatile.Read(ref _blocksDecompressed);

    /// <summary>The codec byte of the chunk's blocks: 1 = LZ4 (hot chunks), 2 = zstd (recompressed cold chunks).</summary>
    public byte Codec => _chunk.Span[5];

    /// <summary>Validates and indexes <paramref name="chunk"/>; the memory is referenced, not copied, and must not change.</summary>
    /// <exception cref="InvalidChunkException">The header, footer or index is malformed or fails its checksum.</exception>
    public static ChunkReader Open(ReadOnlyMemory<byte> chunk)
    {
        var (labels, blocks) = ChunkFormat.ReadIndex(chunk);
        return new ChunkReader(chunk, labels, blocks);
    }

    /// <inheritdoc cref="Iterate(long, long, bool, Func{BlockMeta, bool}?)"/>
    public IEnumerable<LogEntry> Iterate(long fromNs, long throughNs, bool backward) => Iterate(fromNs, throughNs, backward, null);

    /// <summary>
    /// Entries with <paramref name="fromNs"/> &lt;= timestamp &lt; <paramref name="throughNs"/> in timestamp order,
    /// ties in insertion order (backward yields the exact reverse). Decompresses only blocks overlapping the range
    /// (and accepted by <paramref name="blockFilter"/>), each after verifying its CRC-32C; a mismatch throws
    /// <see cref="InvalidChunkException"/> during enumeration. Lines slice the decompressed block buffers.
    /// </summary>
    public IEnumerable<LogEntry> Iterate(long fromNs, long throughNs, bool backward, Func<BlockMeta, bool>? blockFilter)
    {
        var sources = new List<BlockSource>();
        for (var i = 0; i < _blocks.Length; i++)
        {
            var meta = _blocks[i];
            if (meta.Overlaps(fromNs, throughNs) && (blockFilter is null || blockFilter(meta)))
            {
                var number = i;
                sources.Add(new BlockSource(meta.MinTimeNs, meta.MaxTimeNs, () => Decode(number)));
            }
        }

        return EntryMerge.Iterate([.. sources], fromNs, throughNs, backward);
    }

    /// <summary>Decompresses every block to verify its checksum and structure.</summary>
    /// <exception cref="InvalidChunkException">A block is corrupt.</exception>
    public void VerifyBlocks()
    {
        for (var i = 0; i < _blocks.Length; i++)
        {
            Decode(i);
        }
    }

    private LogEntry[] Decode(int number)
    {
        var meta = _blocks[number];
        Interlocked.Increment(ref _blocksDecompressed);
        return BlockDecoder.Decode(_chunk.Span.Slice((int)meta.Offset, meta.Length), meta, number, _chunk.Span[5]);
    }
}
