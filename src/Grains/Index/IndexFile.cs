using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Serialised form of a tenant-day index: a base file at <c>{tenant}/index/{day}/0</c>, replaced whole with Put, and a
/// delta log at <c>{tenant}/index/{day}/delta-{generation}</c> (<see cref="StorageKeys.IndexDelta"/>), appended to
/// with one record per group commit. The index is the base plus the records of the log of the base's generation.
/// <code>
/// base   = "LKIX" | version u8 (2) | generation 7bit | seriesCount 7bit | series… | crc32 u32 (little endian, over everything before it)
///          (version 1 has no generation: generation 0)
/// series = fingerprint u64 | labels string | chunkCount 7bit | chunk…
/// chunk  = key string | fromNs i64 | throughNs i64 | entries i32 | uncompressed i64 | compressed i64
/// string = 7-bit length + UTF-8 (BinaryWriter)
///
/// delta log = record…
/// record    = payloadLength u32 | crc32 u32 (over the payload) | payload      (little endian)
/// payload   = changeCount 7bit | change…
/// change    = 1 | fingerprint u64 | labels string                             (a series)
///           | 2 | fingerprint u64 | labels string | chunk                     (a chunk of a series)
/// </code>
/// A record is appended whole or, after a crash, as a torn prefix: reading stops at the first record that is short
/// or fails its checksum, and everything before it is kept.
/// </summary>
internal static class IndexFile
{
    private static ReadOnlySpan<byte> Magic => "LKIX"u8;
    private const byte Version1 = 1;
    private const byte Version = 2;
    private const byte SeriesChange = 1;
    private const byte ChunkChange = 2;
    private const int RecordHeader = 8;

    /// <summary>A base file of generation 0.</summary>
    public static byte[] Write(SeriesIndex index) => Write(index, 0);

    /// <summary>A base file whose delta log is the one of <paramref name="generation"/>.</summary>
    public static byte[] Write(SeriesIndex index, long generation)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write7BitEncodedInt64(generation);
            writer.Write7BitEncodedInt(index.SeriesCount);
            foreach (var series in index.AllSeries)
            {
                writer.Write(series.Fingerprint);
                writer.Write(series.Labels);
                writer.Write7BitEncodedInt(series.Chunks.Count);
                foreach (var c in series.Chunks)
                {
                    WriteChunk(writer, c);
                }
            }
        }
        var crc = Crc32.HashToUInt32(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, crc);
        stream.Write(tail);
        return stream.ToArray();
    }

    /// <summary>Reads an index file; throws <see cref="InvalidDataException"/> on a bad magic, version or checksum.</summary>
    public static SeriesIndex Read(byte[] data, string key) => Read(data, key, out _);

    /// <summary>Reads an index file and the generation of its delta log.</summary>
    public static SeriesIndex Read(byte[] data, string key, out long generation)
    {
        if (data.Length < Magic.Length + 1 + 4 || !data.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"index file {key}: bad magic or too short ({data.Length} bytes)");
        }
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4));
        var actual = Crc32.HashToUInt32(data.AsSpan(0, data.Length - 4));
        if (expected != actual)
        {
            throw new InvalidDataException($"index file {key}: checksum mismatch (stored {expected:x8}, computed {actual:x8})");
        }
        if (data[4] is not (Version1 or Version))
        {
            throw new InvalidDataException($"index file {key}: unsupported version {data[4]}");
        }

        var index = new SeriesIndex();
        using var reader = new BinaryReader(new MemoryStream(data, 5, data.Length - 9), Encoding.UTF8);
        generation = data[4] == Version1 ? 0 : reader.Read7BitEncodedInt64();
        var seriesCount = reader.Read7BitEncodedInt();
        for (var i = 0; i < seriesCount; i++)
        {
            var fp = reader.ReadUInt64();
            var labels = reader.ReadString();
            index.AddSeries(fp, labels);
            var chunks = reader.Read7BitEncodedInt();
            for (var c = 0; c < chunks; c++)
            {
                index.AddChunk(fp, labels, ReadChunk(reader));
            }
        }
        return index;
    }

    /// <summary>One delta record holding <paramref name="changes"/>, in order.</summary>
    public static byte[] WriteDelta(IReadOnlyList<IndexChange> changes)
    {
        using var stream = new MemoryStream();
        stream.Write(stackalloc byte[RecordHeader]);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(changes.Count);
            foreach (var change in changes)
            {
                writer.Write(change.Chunk is null ? SeriesChange : ChunkChange);
                writer.Write(change.Fingerprint);
                writer.Write(change.Labels);
                if (change.Chunk is { } chunk)
                {
                    WriteChunk(writer, chunk);
                }
            }
        }
        var bytes = stream.ToArray();
        var payload = bytes.AsSpan(RecordHeader);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Crc32.HashToUInt32(payload));
        return bytes;
    }

    /// <summary>
    /// Applies the records of a delta log to <paramref name="index"/> in order, up to the first torn or corrupt
    /// record (a crash's tail), which is reported and not applied.
    /// </summary>
    public static DeltaReadResult ReadDelta(SeriesIndex index, byte[] data)
    {
        var offset = 0;
        var records = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < RecordHeader)
            {
                return new DeltaReadResult(records, offset, TornTail: true);
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4));
            if (length > (uint)(data.Length - offset - RecordHeader)
                || Crc32.HashToUInt32(data.AsSpan(offset + RecordHeader, (int)length)) != crc)
            {
                return new DeltaReadResult(records, offset, TornTail: true);
            }
            using var reader = new BinaryReader(new MemoryStream(data, offset + RecordHeader, (int)length), Encoding.UTF8);
            var count = reader.Read7BitEncodedInt();
            for (var i = 0; i < count; i++)
            {
                var kind = reader.ReadByte();
                var fp = reader.ReadUInt64();
                var labels = reader.ReadString();
                switch (kind)
                {
                    case SeriesChange:
                        index.AddSeries(fp, labels);
                        break;
                    case ChunkChange:
                        index.AddChunk(fp, labels, ReadChunk(reader));
                        break;
                    default:
                        throw new InvalidDataException($"index delta: unknown change kind {kind} in a record that passed its checksum");
                }
            }
            offset += RecordHeader + (int)length;
            records++;
        }
        return new DeltaReadResult(records, offset, TornTail: false);
    }

    private static void WriteChunk(BinaryWriter writer, ChunkRef c)
    {
        writer.Write(c.Key);
        writer.Write(c.FromNs);
        writer.Write(c.ThroughNs);
        writer.Write(c.Entries);
        writer.Write(c.UncompressedBytes);
        writer.Write(c.CompressedBytes);
    }

    private static ChunkRef ReadChunk(BinaryReader reader) =>
        new(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
}

/// <summary>A change of a delta record: a series (<see cref="Chunk"/> null) or one chunk of a series.</summary>
internal readonly record struct IndexChange(ulong Fingerprint, string Labels, ChunkRef? Chunk);

/// <param name="Records">Records applied.</param>
/// <param name="ValidBytes">Bytes of the applied records (where a torn tail starts).</param>
/// <param name="TornTail">Whether bytes after them were ignored.</param>
internal readonly record struct DeltaReadResult(int Records, int ValidBytes, bool TornTail);
