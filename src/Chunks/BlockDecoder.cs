namespace Orleans.Loki.Chunks;

/// <summary>Verifies, decompresses and parses one block into entries whose lines slice a fresh decompressed buffer.</summary>
internal static class BlockDecoder
{
    /// <param name="compressed">The block's compressed bytes (exactly <see cref="BlockMeta.Length"/>).</param>
    /// <param name="meta">The block's index entry.</param>
    /// <param name="blockNumber">Position of the block in the chunk, for error messages.</param>
    /// <param name="codec">The chunk's codec byte.</param>
    public static LogEntry[] Decode(ReadOnlySpan<byte> compressed, BlockMeta meta, int blockNumber, byte codec = ChunkFormat.CodecLz4Block)
    {
        var actual = Crc32C.Compute(compressed);
        if (actual != meta.Crc32C)
        {
            throw new InvalidChunkException(
                $"block {blockNumber}: checksum mismatch (expected 0x{meta.Crc32C:x8}, actual 0x{actual:x8})", meta.Offset);
        }

        // Not pooled: the returned entries' lines point into this buffer and live as long as the caller keeps them.
        var buffer = new byte[meta.UncompressedLength];
        var decoded = BlockCodec.Decompress(codec, compressed, buffer);
        if (decoded != buffer.Length)
        {
            throw new InvalidChunkException(
                $"block {blockNumber}: decompressed to {decoded} bytes, index says {buffer.Length}", meta.Offset);
        }

        return Parse(buffer, meta, blockNumber);
    }

    private static LogEntry[] Parse(byte[] buffer, BlockMeta meta, int blockNumber)
    {
        var parser = new BlockParser(buffer, meta, blockNumber);
        var entries = new LogEntry[meta.EntryCount];
        for (var i = 0; i < entries.Length; i++)
        {
            parser.Next(out var ts, out var offset, out var length, out var pairs);
            entries[i] = new LogEntry(ts, buffer.AsMemory(offset, length), pairs);
        }

        parser.ExpectEnd();
        return entries;
    }
}
