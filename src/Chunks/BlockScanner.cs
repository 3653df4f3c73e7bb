using System.Buffers;

namespace Orleans.Loki.Chunks;

/// <summary>Receives the entries of a scanned block; lines are only valid during the call.</summary>
public interface IEntryVisitor
{
    /// <summary>One entry; return false to stop scanning the block.</summary>
    bool Visit(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata);
}

/// <summary>
/// Allocation-light scan of one block: verifies its checksum, decompresses into a pooled buffer and hands each entry
/// in the range to a visitor without materialising entries. For scans that look at every line once (metric queries,
/// filters), where <see cref="ChunkReader.Iterate(long, long, bool, Func{BlockMeta, bool}?)"/> would allocate a
/// buffer and an entry array per block.
/// </summary>
public static class BlockScanner
{
    /// <summary>
    /// Visits the entries of block <paramref name="blockNumber"/> of <paramref name="chunk"/> with
    /// <paramref name="fromNs"/> &lt;= timestamp &lt; <paramref name="throughNs"/>, in timestamp order.
    /// </summary>
    /// <returns>The uncompressed bytes decompressed (0 when the block was not read).</returns>
    /// <exception cref="InvalidChunkException">The block is corrupt.</exception>
    public static int Scan<TVisitor>(ReadOnlySpan<byte> chunk, BlockMeta meta, int blockNumber, long fromNs, long throughNs, ref TVisitor visitor)
        where TVisitor : IEntryVisitor
    {
        ArgumentNullException.ThrowIfNull(meta);
        if (!meta.Overlaps(fromNs, throughNs))
        {
            return 0;
        }
        if (meta.Offset < 0 || meta.Offset + meta.Length > chunk.Length)
        {
            throw new InvalidChunkException($"block {blockNumber}: extends past the chunk", meta.Offset);
        }
        var compressed = chunk.Slice((int)meta.Offset, meta.Length);
        var actual = Crc32C.Compute(compressed);
        if (actual != meta.Crc32C)
        {
            throw new InvalidChunkException(
                $"block {blockNumber}: checksum mismatch (expected 0x{meta.Crc32C:x8}, actual 0x{actual:x8})", meta.Offset);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(meta.UncompressedLength);
        try
        {
            var decoded = BlockCodec.Decompress(chunk[5], compressed, buffer.AsSpan(0, meta.UncompressedLength));
            if (decoded != meta.UncompressedLength)
            {
                throw new InvalidChunkException(
                    $"block {blockNumber}: decompressed to {decoded} bytes, index says {meta.UncompressedLength}", meta.Offset);
            }
            Visit(buffer.AsSpan(0, decoded), meta, blockNumber, fromNs, throughNs, ref visitor);
            return decoded;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Visit<TVisitor>(ReadOnlySpan<byte> block, BlockMeta meta, int blockNumber, long fromNs, long throughNs, ref TVisitor visitor)
        where TVisitor : IEntryVisitor
    {
        var parser = new BlockParser(block, meta, blockNumber);
        while (parser.Next(out var ts, out var offset, out var length, out var pairs))
        {
            if (ts >= throughNs)
            {
                return;
            }
            if (ts >= fromNs && !visitor.Visit(ts, block.Slice(offset, length), pairs))
            {
                return;
            }
        }
    }
}
