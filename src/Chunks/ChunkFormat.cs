using System.Buffers.Binary;
using System.Text;

namespace Orleans.Loki.Chunks;

/// <summary>
/// Byte layout of an encoded chunk (see README.md for the diagram):
/// <c>header(8) · blocks · index · u32 index CRC · footer(16)</c>. All fixed-width integers are little-endian.
/// </summary>
internal static class ChunkFormat
{
    /// <summary>Version 2: columnar blocks (see README.md) and one-bit-per-trigram filters sized by distinct trigrams.</summary>
    public const byte Version2 = 2;

    /// <summary>Codec byte: each block is one raw LZ4 block (no frame), decompressed size in the index.</summary>
    public const byte CodecLz4Block = 1;

    /// <summary>Codec byte: each block is one zstd frame (cold chunks recompressed by the compactor).</summary>
    public const byte CodecZstd = 2;

    public const int HeaderSize = 8;

    /// <summary>u64 index offset, u32 index length, u32 CRC-32C of the preceding 12 footer bytes.</summary>
    public const int FooterSize = 16;

    /// <summary>"OLKC": Orleans.Loki chunk.</summary>
    public static ReadOnlySpan<byte> Magic => "OLKC"u8;

    public static byte[] Write(string labels, IReadOnlyList<CutBlock> blocks, byte codec = CodecLz4Block)
    {
        using var index = new PooledByteBuffer();
        var labelBytes = Encoding.UTF8.GetByteCount(labels);
        if (labelBytes > ChunkLimits.MaxLabelsBytes)
        {
            throw new ArgumentException($"Labels are {labelBytes} bytes; the limit is {ChunkLimits.MaxLabelsBytes}.", nameof(labels));
        }

        index.WriteUVarint((ulong)labelBytes);
        index.Advance(Encoding.UTF8.GetBytes(labels, index.GetSpan(labelBytes)));
        index.WriteUVarint((ulong)blocks.Count);
        long position = HeaderSize;
        foreach (var block in blocks)
        {
            var meta = block.Meta;
            if (meta.Offset != position)
            {
                throw new InvalidOperationException($"Block offset {meta.Offset} does not follow the previous block (expected {position}).");
            }

            index.WriteVarint(meta.MinTimeNs);
            index.WriteUVarint(unchecked((ulong)(meta.MaxTimeNs - meta.MinTimeNs)));
            index.WriteUVarint((ulong)meta.EntryCount);
            index.WriteUVarint((ulong)meta.Offset);
            index.WriteUVarint((ulong)meta.Length);
            index.WriteUVarint((ulong)meta.UncompressedLength);
            index.WriteUInt32LittleEndian(meta.Crc32C);
            if (meta.TokenFilter.IsEmpty)
            {
                index.WriteByte(TokenFilter.KindNone);
            }
            else
            {
                index.WriteByte(TokenFilter.KindTrigramBloom);
                index.WriteUVarint((ulong)meta.TokenFilter.Length);
                index.Write(meta.TokenFilter.Span);
            }

            position += meta.Length;
        }

        var indexOffset = position;
        var indexLength = index.Length;
        var chunk = new byte[indexOffset + indexLength + sizeof(uint) + FooterSize];
        var span = chunk.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version2;
        span[5] = codec;
        foreach (var block in blocks)
        {
            block.Compressed.CopyTo(span[(int)block.Meta.Offset..]);
        }

        index.WrittenSpan.CopyTo(span[(int)indexOffset..]);
        var afterIndex = (int)indexOffset + indexLength;
        BinaryPrimitives.WriteUInt32LittleEndian(span[afterIndex..], Crc32C.Compute(index.WrittenSpan));
        var footer = span[(afterIndex + sizeof(uint))..];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)indexOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[8..], (uint)indexLength);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[12..], Crc32C.Compute(footer[..12]));
        return chunk;
    }

    /// <summary>Validates header, footer and index checksums and parses the index. Token filters slice <paramref name="chunk"/>.</summary>
    public static (string Labels, BlockMeta[] Blocks) ReadIndex(ReadOnlyMemory<byte> chunk)
    {
        var span = chunk.Span;
        if (span.Length < HeaderSize + sizeof(uint) + FooterSize)
        {
            throw new InvalidChunkException($"chunk: {span.Length} bytes is shorter than the smallest chunk ({HeaderSize + sizeof(uint) + FooterSize})", 0);
        }

        if (!span[..4].SequenceEqual(Magic))
        {
            throw new InvalidChunkException($"chunk header: bad magic 0x{BinaryPrimitives.ReadUInt32BigEndian(span):x8}", 0);
        }

        if (span[4] != Version2)
        {
            throw new InvalidChunkException($"chunk header: unsupported version {span[4]}", 4);
        }

        if (span[5] is not (CodecLz4Block or CodecZstd))
        {
            throw new InvalidChunkException($"chunk header: unsupported codec {span[5]}", 5);
        }

        if (span[6] != 0 || span[7] != 0)
        {
            throw new InvalidChunkException("chunk header: reserved bytes are not zero", 6);
        }

        var footerOffset = span.Length - FooterSize;
        var footer = span[footerOffset..];
        var footerCrc = BinaryPrimitives.ReadUInt32LittleEndian(footer[12..]);
        var actualFooterCrc = Crc32C.Compute(footer[..12]);
        if (footerCrc != actualFooterCrc)
        {
            throw new InvalidChunkException($"chunk footer: checksum mismatch (expected 0x{footerCrc:x8}, actual 0x{actualFooterCrc:x8})", footerOffset);
        }

        var indexOffset = BinaryPrimitives.ReadUInt64LittleEndian(footer);
        var indexLength = BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]);
        if (indexOffset < HeaderSize || indexOffset + indexLength + sizeof(uint) != (ulong)footerOffset)
        {
            throw new InvalidChunkException($"chunk footer: index at {indexOffset} with length {indexLength} does not end at the footer ({footerOffset})", footerOffset);
        }

        var indexBytes = span.Slice((int)indexOffset, (int)indexLength);
        var indexCrc = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(indexOffset + indexLength)..]);
        var actualIndexCrc = Crc32C.Compute(indexBytes);
        if (indexCrc != actualIndexCrc)
        {
            throw new InvalidChunkException($"chunk index: checksum mismatch (expected 0x{indexCrc:x8}, actual 0x{actualIndexCrc:x8})", (long)indexOffset);
        }

        return ParseIndex(chunk.Slice((int)indexOffset, (int)indexLength), (long)indexOffset);
    }

    private static (string Labels, BlockMeta[] Blocks) ParseIndex(ReadOnlyMemory<byte> index, long indexOffset)
    {
        var reader = new ByteReader(index.Span, indexOffset, "chunk index");
        var labelLength = reader.ReadLength("labels length", ChunkLimits.MaxLabelsBytes);
        var labels = reader.ReadUtf8String(labelLength, "labels");

        // A block entry takes at least 11 bytes, which bounds the count before allocating.
        var count = reader.ReadLength("block count", reader.Remaining / 11);
        var blocks = new BlockMeta[count];
        long expectedOffset = HeaderSize;
        for (var i = 0; i < blocks.Length; i++)
        {
            var start = reader.AbsoluteOffset;
            var min = reader.ReadVarint("block min time");
            var span = reader.ReadUVarint("block time span");
            var max = unchecked(min + (long)span);
            var entries = reader.ReadLength("block entry count", ChunkLimits.MaxBlockUncompressedBytes);
            var offset = reader.ReadUVarint("block offset");
            var length = reader.ReadLength("block length", int.MaxValue);
            var uncompressed = reader.ReadLength("block uncompressed length", ChunkLimits.MaxBlockUncompressedBytes);
            var crc = reader.ReadUInt32LittleEndian("block checksum");
            var kind = reader.ReadByte("token filter kind");
            ReadOnlyMemory<byte> filter = default;
            switch (kind)
            {
                case TokenFilter.KindNone:
                    break;
                case TokenFilter.KindTrigramBloom:
                    var filterLength = reader.ReadLength("token filter length", ChunkLimits.MaxTokenFilterBytes);
                    if (filterLength == 0 || filterLength % 8 != 0)
                    {
                        throw reader.Fail($"block {i}: token filter length {filterLength} is not a positive multiple of 8", start);
                    }

                    filter = index.Slice(reader.Position, filterLength);
                    reader.ReadBytes(filterLength, "token filter");
                    break;
                default:
                    throw reader.Fail($"block {i}: unknown token filter kind {kind}", reader.AbsoluteOffset - 1);
            }

            if (span > unchecked((ulong)(long.MaxValue - min)))
            {
                throw reader.Fail($"block {i}: time range overflows", start);
            }

            if (entries == 0 || entries > uncompressed)
            {
                throw reader.Fail($"block {i}: entry count {entries} does not fit {uncompressed} uncompressed bytes", start);
            }

            if (offset != (ulong)expectedOffset || (ulong)length > (ulong)(indexOffset - expectedOffset))
            {
                throw reader.Fail($"block {i}: offset {offset} length {length} is not contiguous within the blocks section [{HeaderSize}, {indexOffset})", start);
            }

            blocks[i] = new BlockMeta(min, max, entries, (long)offset, length, uncompressed, crc, filter);
            expectedOffset += length;
        }

        reader.ExpectEnd();
        if (expectedOffset != indexOffset)
        {
            throw new InvalidChunkException($"chunk index: blocks end at {expectedOffset} but the index starts at {indexOffset}", indexOffset);
        }

        return (labels, blocks);
    }
}
