using K4os.Compression.LZ4;

namespace Orleans.Loki.Chunks;

/// <summary>Verifies, decompresses and parses one block into entries whose lines slice a fresh decompressed buffer.</summary>
internal static class BlockDecoder
{
    /// <param name="compressed">The block's compressed bytes (exactly <see cref="BlockMeta.Length"/>).</param>
    /// <param name="meta">The block's index entry.</param>
    /// <param name="blockNumber">Position of the block in the chunk, for error messages.</param>
    public static LogEntry[] Decode(ReadOnlySpan<byte> compressed, BlockMeta meta, int blockNumber)
    {
        var actual = Crc32C.Compute(compressed);
        if (actual != meta.Crc32C)
        {
            throw new InvalidChunkException(
                $"block {blockNumber}: checksum mismatch (expected 0x{meta.Crc32C:x8}, actual 0x{actual:x8})", meta.Offset);
        }

        // Not pooled: the returned entries' lines point into this buffer and live as long as the caller keeps them.
        var buffer = new byte[meta.UncompressedLength];
        var decoded = LZ4Codec.Decode(compressed, buffer);
        if (decoded != buffer.Length)
        {
            throw new InvalidChunkException(
                $"block {blockNumber}: decompressed to {decoded} bytes, index says {buffer.Length}", meta.Offset);
        }

        return Parse(buffer, meta, blockNumber);
    }

    private static LogEntry[] Parse(byte[] buffer, BlockMeta meta, int blockNumber)
    {
        var reader = new ByteReader(buffer, 0, $"block {blockNumber} (decompressed)");
        var symbols = SymbolTable.Read(ref reader);
        var entries = new LogEntry[meta.EntryCount];
        // Timestamps are deltas from the block minimum; track them as unsigned offsets so no sum can overflow.
        var span = unchecked((ulong)(meta.MaxTimeNs - meta.MinTimeNs));
        ulong relative = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            var delta = reader.ReadUVarint("timestamp delta");
            if (delta > span - relative)
            {
                throw reader.Fail($"entry {i} timestamp is past the block's maximum {meta.MaxTimeNs}", reader.AbsoluteOffset);
            }

            relative += delta;
            var ts = unchecked(meta.MinTimeNs + (long)relative);

            var length = reader.ReadLength("line length", reader.Remaining);
            var offset = reader.Position;
            reader.ReadBytes(length, "line");
            var pairs = SymbolTable.ReadPairs(ref reader, symbols);
            entries[i] = new LogEntry(ts, buffer.AsMemory(offset, length), pairs);
        }

        reader.ExpectEnd();
        if (entries.Length > 0 && (entries[0].TimestampNs != meta.MinTimeNs || entries[^1].TimestampNs != meta.MaxTimeNs))
        {
            throw reader.Fail($"entries span [{entries[0].TimestampNs}, {entries[^1].TimestampNs}], index says [{meta.MinTimeNs}, {meta.MaxTimeNs}]", 0);
        }

        return entries;
    }
}
