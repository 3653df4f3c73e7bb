using K4os.Compression.LZ4;

namespace Orleans.Loki.Chunks;

/// <summary>Sizing and compression of a <see cref="MemChunk"/>.</summary>
public sealed record ChunkOptions
{
    private readonly int _blockSize = 256 * 1024;
    private readonly int _targetCompressedSize = 1_572_864;
    private readonly LZ4Level _level = LZ4Level.L00_FAST;

    /// <summary>Uncompressed bytes at which the head block is cut into a compressed block.</summary>
    public int BlockSize
    {
        get => _blockSize;
        init => _blockSize = value is > 0 and <= ChunkLimits.MaxBlockSizeOption
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BlockSize), value, $"must be in 1..{ChunkLimits.MaxBlockSizeOption}");
    }

    /// <summary>Compressed size at which the chunk reports <see cref="MemChunk.IsFull"/>.</summary>
    public int TargetCompressedSize
    {
        get => _targetCompressedSize;
        init => _targetCompressedSize = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TargetCompressedSize), value, "must be positive");
    }

    /// <summary>
    /// LZ4 compression level of cut blocks (the format is the same for every level). With the columnar blocks of
    /// format version 2 the default L00_FAST already stores the load-test corpus (generated logfmt/JSON/nginx logs)
    /// at 3.13x, token filters included, above the 3.07x of <c>lz4 -1 -B5</c> on the same lines; L03_HC reaches 3.95x
    /// but compresses at roughly a quarter of L00_FAST's speed (~120 vs ~490 MiB/s a core), which halved end-to-end
    /// ingest per CPU-second.
    /// </summary>
    public LZ4Level Level
    {
        get => _level;
        init => _level = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Level), value, "unknown LZ4 level");
    }

    /// <summary>Whether each cut block gets a trigram bloom filter (see <see cref="BlockMeta.MayContain"/>).</summary>
    public bool TokenFilter { get; init; } = true;
}
