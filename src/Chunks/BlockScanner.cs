using System.Buffers;
using K4os.Compression.LZ4;

namespace Orleans.Loki.Chunks;

/// <summary>Receives the entries of a scanned block; lines are only valid during the call.</summary>
public interface IEntryVisitor
{
    /// <summary>One entry; return false to stop scanning the block.</summary>
    bool Visit(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata);
}

/// <summary>Receives the timestamps of a block's entries and the index of each one's metadata set, without their lines.</summary>
public interface ITimestampVisitor
{
    /// <summary>Before a block's entries: its distinct metadata sets, which <see cref="Visit"/> refers to by index.</summary>
    void BeginBlock(KeyValuePair<string, string>[]?[] metadataSets);

    /// <summary>One entry; <paramref name="metadataSet"/> indexes the sets given to <see cref="BeginBlock"/>.</summary>
    void Visit(long timestampNs, int metadataSet);
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
        var compressed = Verified(chunk, meta, blockNumber);
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

    /// <summary>
    /// Visits the timestamps and metadata sets of the entries of block <paramref name="blockNumber"/> with
    /// <paramref name="fromNs"/> &lt;= timestamp &lt; <paramref name="throughNs"/>, in timestamp order, without
    /// decompressing the lines: an LZ4 block is decoded only up to where its lines start (the columns come first).
    /// For counting queries, whose samples depend on the entries' times and labels only. <c>lineBytes</c> is set to
    /// the summed line lengths of the visited entries.
    /// </summary>
    /// <returns>
    /// The bytes decompressed (all of them for a block with newline-terminated lines that the range cuts: the lengths
    /// of its lines in the range are only known from the lines).
    /// </returns>
    /// <exception cref="InvalidChunkException">The block is corrupt.</exception>
    public static int ScanTimestamps<TVisitor>(ReadOnlySpan<byte> chunk, BlockMeta meta, int blockNumber, long fromNs, long throughNs, ref TVisitor visitor, out long lineBytes)
        where TVisitor : ITimestampVisitor
    {
        ArgumentNullException.ThrowIfNull(meta);
        lineBytes = 0;
        if (!meta.Overlaps(fromNs, throughNs))
        {
            return 0;
        }
        var compressed = Verified(chunk, meta, blockNumber);
        var codec = chunk[5];
        var total = meta.UncompressedLength;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var decoded = 0;
            var columns = -1;
            if (codec == BlockCodec.Lz4)
            {
                // A guess at the columns' size (a few bytes per entry and the symbols), doubled until it holds them.
                var guess = (int)Math.Min(total, 1024 + (meta.EntryCount * 8L));
                while (true)
                {
                    decoded = LZ4Codec.PartialDecode(compressed, buffer.AsSpan(0, guess));
                    if (decoded != guess)
                    {
                        throw new InvalidChunkException($"block {blockNumber}: decompressed to {decoded} bytes of the first {guess}", meta.Offset);
                    }
                    columns = BlockParser.ColumnsLength(buffer.AsSpan(0, guess));
                    if (columns >= 0 || guess == total)
                    {
                        break;
                    }
                    guess = (int)Math.Min(total, guess * 2L);
                }
            }
            else
            {
                decoded = BlockCodec.Decompress(codec, compressed, buffer.AsSpan(0, total));
                if (decoded != total)
                {
                    throw new InvalidChunkException($"block {blockNumber}: decompressed to {decoded} bytes, index says {total}", meta.Offset);
                }
                columns = BlockParser.ColumnsLength(buffer.AsSpan(0, total));
            }
            // Columns that do not parse from the bytes there are: the full parser says what is wrong.
            var parser = new BlockParser(buffer.AsSpan(0, columns < 0 ? decoded : columns), meta, blockNumber);
            // Newline-terminated lines of a block the range cuts: their lengths need the lines (only in edge blocks).
            var lines = ReadOnlySpan<byte>.Empty;
            var linePosition = parser.LinesOffset;
            var whole = meta.MinTimeNs >= fromNs && meta.MaxTimeNs < throughNs;
            if (parser.NewlineLayout && !whole)
            {
                if (decoded != total)
                {
                    decoded = BlockCodec.Decompress(codec, compressed, buffer.AsSpan(0, total));
                    if (decoded != total)
                    {
                        throw new InvalidChunkException($"block {blockNumber}: decompressed to {decoded} bytes, index says {total}", meta.Offset);
                    }
                }
                lines = buffer.AsSpan(0, total);
            }
            visitor.BeginBlock(parser.MetadataSets);
            var index = 0;
            while (parser.NextTimestamp(out var ts, out var set, out var length))
            {
                if (!lines.IsEmpty)
                {
                    length = lines[linePosition..].IndexOf((byte)'\n');
                    if (length < 0)
                    {
                        throw new InvalidChunkException($"block {blockNumber} (decompressed): entry {index} has no line terminator", linePosition);
                    }
                    linePosition += length + 1;
                }
                index++;
                if (ts >= throughNs)
                {
                    break;
                }
                if (ts >= fromNs)
                {
                    visitor.Visit(ts, set);
                    lineBytes += length;
                }
            }
            if (parser.NewlineLayout && lines.IsEmpty)
            {
                // Every entry was visited: the lines are the rest of the block, each with its terminator.
                lineBytes = total - parser.LinesOffset - meta.EntryCount;
            }
            return decoded;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> Verified(ReadOnlySpan<byte> chunk, BlockMeta meta, int blockNumber)
    {
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
        return compressed;
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
