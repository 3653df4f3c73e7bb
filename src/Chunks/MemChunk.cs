namespace Orleans.Loki.Chunks;

/// <summary>
/// The in-memory chunk of ONE stream: an uncompressed head block plus cut, LZ4-compressed blocks.
/// Accepts entries in any timestamp order (ordering policy is the caller's job) and drops exact duplicates
/// (same timestamp and line) within the head block. Not thread-safe.
/// </summary>
public sealed class MemChunk
{
    private readonly ChunkOptions _options;
    private readonly HeadBlock _head = new();
    private readonly List<CutBlock> _blocks = [];
    private long _cutUncompressedBytes;
    private int _cutEntryCount;
    private long _minTimeNs = long.MaxValue;
    private long _maxTimeNs = long.MinValue;

    public MemChunk(ChunkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public ChunkOptions Options => _options;

    /// <summary>Entries in the chunk, head block included.</summary>
    public int EntryCount => _cutEntryCount + _head.Count;

    /// <summary>Entries not yet cut into a compressed block.</summary>
    public int HeadEntryCount => _head.Count;

    /// <summary>Line plus structured-metadata bytes (UTF-8) of all entries.</summary>
    public long UncompressedBytes => _cutUncompressedBytes + _head.UncompressedBytes;

    /// <summary>Compressed bytes of the cut blocks (the head block is not counted).</summary>
    public long CompressedBytes { get; private set; }

    /// <summary>Smallest timestamp of all entries; 0 when the chunk is empty.</summary>
    public long MinTimeNs => EntryCount == 0 ? 0 : _minTimeNs;

    /// <summary>Largest timestamp of all entries; 0 when the chunk is empty.</summary>
    public long MaxTimeNs => EntryCount == 0 ? 0 : _maxTimeNs;

    /// <summary>
    /// Whether the chunk reached <see cref="ChunkOptions.TargetCompressedSize"/>. Like Loki, the head block counts
    /// with its uncompressed size, which errs towards smaller chunks rather than overshooting.
    /// </summary>
    public bool IsFull => CompressedBytes + _head.UncompressedBytes >= _options.TargetCompressedSize;

    /// <summary>Index entries of the cut blocks, in cut order.</summary>
    public IReadOnlyList<BlockMeta> Blocks => _blocks.ConvertAll(b => b.Meta);

    /// <summary>
    /// Adds a copy of <paramref name="entry"/> to the head block (the caller's memory is not retained) and cuts the
    /// head block once it reaches <see cref="ChunkOptions.BlockSize"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The line or its metadata exceeds <see cref="ChunkLimits"/>.</exception>
    public AppendOutcome Append(in LogEntry entry)
    {
        if (entry.Line.Length > ChunkLimits.MaxLineBytes)
        {
            throw new ArgumentException($"Line of {entry.Line.Length} bytes exceeds the limit of {ChunkLimits.MaxLineBytes}.", nameof(entry));
        }

        if (entry.Metadata is { Length: > ChunkLimits.MaxMetadataPairs })
        {
            throw new ArgumentException($"{entry.Metadata.Length} metadata pairs exceed the limit of {ChunkLimits.MaxMetadataPairs}.", nameof(entry));
        }

        var bound = HeadBlock.EntryBound(entry, out var contentBytes);
        if (contentBytes - entry.Line.Length > ChunkLimits.MaxMetadataBytes)
        {
            throw new ArgumentException($"Metadata of {contentBytes - entry.Line.Length} bytes exceeds the limit of {ChunkLimits.MaxMetadataBytes}.", nameof(entry));
        }

        if (_head.Count > 0 && _head.SerializedBound + bound > ChunkLimits.MaxBlockUncompressedBytes)
        {
            CutHeadBlock();
        }

        var outcome = _head.Append(entry, contentBytes, bound);
        if (outcome == AppendOutcome.Appended)
        {
            _minTimeNs = Math.Min(_minTimeNs, entry.TimestampNs);
            _maxTimeNs = Math.Max(_maxTimeNs, entry.TimestampNs);
            if (_head.UncompressedBytes >= _options.BlockSize)
            {
                CutHeadBlock();
            }
        }

        return outcome;
    }

    /// <summary>Compresses the head block into a new block; does nothing when the head is empty.</summary>
    public void CutHeadBlock()
    {
        if (_head.Count == 0)
        {
            return;
        }

        _cutEntryCount += _head.Count;
        _cutUncompressedBytes += _head.UncompressedBytes;
        // Rented per cut, not kept: thousands of idle streams must not each pin a block-sized buffer.
        using var scratch = new PooledByteBuffer((int)Math.Min(_head.SerializedBound, ChunkLimits.MaxBlockUncompressedBytes));
        var block = _head.Cut(_options, ChunkFormat.HeaderSize + CompressedBytes, scratch);
        _blocks.Add(block);
        CompressedBytes += block.Compressed.Length;
    }

    /// <summary>
    /// Cuts the head block and returns the complete, immutable chunk bytes. <paramref name="labels"/> (the stream's
    /// canonical label string) is stored in the chunk so an index can be rebuilt from chunks alone.
    /// </summary>
    public byte[] Encode(string labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CutHeadBlock();
        return ChunkFormat.Write(labels, _blocks);
    }

    /// <inheritdoc cref="Iterate(long, long, bool, Func{BlockMeta, bool}?)"/>
    public IEnumerable<LogEntry> Iterate(long fromNs, long throughNs, bool backward) => Iterate(fromNs, throughNs, backward, null);

    /// <summary>
    /// Entries with <paramref name="fromNs"/> &lt;= timestamp &lt; <paramref name="throughNs"/> in timestamp order,
    /// ties in insertion order (backward yields the exact reverse). Includes the head block, whose matching entries
    /// are copied when this method is called; appending while enumerating is not supported.
    /// </summary>
    /// <param name="fromNs">Inclusive lower time bound.</param>
    /// <param name="throughNs">Exclusive upper time bound.</param>
    /// <param name="backward">Newest first.</param>
    /// <param name="blockFilter">Skips cut blocks for which it returns false (e.g. <c>b =&gt; b.MayContain(needle)</c>); the head block is always read.</param>
    public IEnumerable<LogEntry> Iterate(long fromNs, long throughNs, bool backward, Func<BlockMeta, bool>? blockFilter)
    {
        var sources = new List<BlockSource>(_blocks.Count + 1);
        for (var i = 0; i < _blocks.Count; i++)
        {
            var block = _blocks[i];
            var meta = block.Meta;
            if (meta.Overlaps(fromNs, throughNs) && (blockFilter is null || blockFilter(meta)))
            {
                var number = i;
                sources.Add(new BlockSource(meta.MinTimeNs, meta.MaxTimeNs, () => BlockDecoder.Decode(block.Compressed, meta, number)));
            }
        }

        var head = _head.Snapshot(fromNs, throughNs);
        if (head.Length > 0)
        {
            sources.Add(new BlockSource(head[0].TimestampNs, head[^1].TimestampNs, () => head));
        }

        return EntryMerge.Iterate([.. sources], fromNs, throughNs, backward);
    }
}
