using K4os.Compression.LZ4;

namespace Orleans.Loki.Chunks;

/// <summary>Block (de)compression by the chunk's codec byte: LZ4 for hot chunks, zstd for recompressed cold ones.</summary>
public static class BlockCodec
{
    /// <summary>Codec byte of LZ4 chunks (what stream grains flush).</summary>
    public const byte Lz4 = ChunkFormat.CodecLz4Block;

    /// <summary>Codec byte of zstd chunks (what the compactor writes for cold data).</summary>
    public const byte Zstd = ChunkFormat.CodecZstd;

    /// <summary>Decompresses one block into <paramref name="target"/>; returns the bytes written (or a negative value on failure).</summary>
    public static int Decompress(byte codec, ReadOnlySpan<byte> source, Span<byte> target)
    {
        switch (codec)
        {
            case ChunkFormat.CodecLz4Block:
                return LZ4Codec.Decode(source, target);
            case ChunkFormat.CodecZstd:
                using (var zstd = new ZstdSharp.Decompressor())
                {
                    return zstd.TryUnwrap(source, target, out var written) ? written : -1;
                }
            default:
                throw new InvalidChunkException($"unsupported codec {codec}", 5);
        }
    }

    /// <summary>
    /// The chunk with every block recompressed by zstd at <paramref name="level"/> (codec byte 2); the entries, block
    /// boundaries, time ranges and token filters stay as they are.
    /// </summary>
    public static byte[] Recompress(ReadOnlyMemory<byte> chunk, int level)
    {
        var (labels, blocks) = ChunkFormat.ReadIndex(chunk);
        var codec = chunk.Span[5];
        using var zstd = new ZstdSharp.Compressor(level);
        var cut = new List<CutBlock>(blocks.Length);
        long offset = ChunkFormat.HeaderSize;
        var raw = new byte[blocks.Length == 0 ? 0 : blocks.Max(b => b.UncompressedLength)];
        foreach (var meta in blocks)
        {
            var decoded = Decompress(codec, chunk.Span.Slice((int)meta.Offset, meta.Length), raw.AsSpan(0, meta.UncompressedLength));
            if (decoded != meta.UncompressedLength)
            {
                throw new InvalidChunkException($"block at {meta.Offset}: decompressed to {decoded} bytes, index says {meta.UncompressedLength}", meta.Offset);
            }
            var compressed = zstd.Wrap(raw.AsSpan(0, decoded)).ToArray();
            var newMeta = new BlockMeta(meta.MinTimeNs, meta.MaxTimeNs, meta.EntryCount, offset, compressed.Length, meta.UncompressedLength, Crc32C.Compute(compressed), meta.TokenFilter);
            cut.Add(new CutBlock(newMeta, compressed));
            offset += compressed.Length;
        }
        return ChunkFormat.Write(labels, cut, ChunkFormat.CodecZstd);
    }
}
