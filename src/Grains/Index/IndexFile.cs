using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Serialised form of a tenant-day index, stored at <c>{tenant}/index/{day}/0</c>.
/// <code>
/// "LKIX" | version u8 (1) | seriesCount 7bit | series… | crc32 u32 (little endian, over everything before it)
/// series = fingerprint u64 | labels string | chunkCount 7bit | chunk…
/// chunk  = key string | fromNs i64 | throughNs i64 | entries i32 | uncompressed i64 | compressed i64
/// string = 7-bit length + UTF-8 (BinaryWriter)
/// </code>
/// </summary>
internal static class IndexFile
{
    private static ReadOnlySpan<byte> Magic => "LKIX"u8;
    private const byte Version = 1;

    public static byte[] Write(SeriesIndex index)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write7BitEncodedInt(index.SeriesCount);
            foreach (var series in index.AllSeries)
            {
                writer.Write(series.Fingerprint);
                writer.Write(series.Labels);
                writer.Write7BitEncodedInt(series.Chunks.Count);
                foreach (var c in series.Chunks)
                {
                    writer.Write(c.Key);
                    writer.Write(c.FromNs);
                    writer.Write(c.ThroughNs);
                    writer.Write(c.Entries);
                    writer.Write(c.UncompressedBytes);
                    writer.Write(c.CompressedBytes);
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
    public static SeriesIndex Read(byte[] data, string key)
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
        if (data[4] != Version)
        {
            throw new InvalidDataException($"index file {key}: unsupported version {data[4]}");
        }

        var index = new SeriesIndex();
        using var reader = new BinaryReader(new MemoryStream(data, 5, data.Length - 9), Encoding.UTF8);
        var seriesCount = reader.Read7BitEncodedInt();
        for (var i = 0; i < seriesCount; i++)
        {
            var fp = reader.ReadUInt64();
            var labels = reader.ReadString();
            index.AddSeries(fp, labels);
            var chunks = reader.Read7BitEncodedInt();
            for (var c = 0; c < chunks; c++)
            {
                var chunk = new ChunkRef(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
                index.AddChunk(fp, labels, chunk);
            }
        }
        return index;
    }
}
