using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// One frame of a silo WAL segment: the entry-batch records of one stream from one group commit. Layout: "OLKS",
/// u32 key length, u32 body length, u32 CRC-32 of the first 12 header bytes and the key, the key (UTF-8 stream grain
/// key <c>{tenant}/{stream}</c>), then the body: entry-batch records exactly as a per-stream WAL segment holds them
/// (each with its own checksums). All integers little-endian.
/// </summary>
internal static class SiloWalFrame
{
    public const int HeaderSize = 16;

    /// <summary>Stream keys are short; anything longer is corruption.</summary>
    private const int MaxKeyBytes = 4096;

    private static ReadOnlySpan<byte> Magic => "OLKS"u8;

    public static int Size(int keyBytes, int bodyBytes) => HeaderSize + keyBytes + bodyBytes;

    /// <summary>Writes the header and key into <paramref name="destination"/>; the caller copies the body after them.</summary>
    public static int WriteHeader(Span<byte> destination, string key, int bodyBytes)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key, destination[HeaderSize..]);
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)keyBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], (uint)bodyBytes);
        var crc = new Crc32();
        crc.Append(destination[..12]);
        crc.Append(destination.Slice(HeaderSize, keyBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], crc.GetCurrentHashAsUInt32());
        return HeaderSize + keyBytes;
    }

    /// <summary>
    /// Reads the frames of a segment. Stops at the first frame that is incomplete or fails its header check: appends
    /// are sequential and a failed append seals the segment, so anything invalid can only be a torn tail.
    /// </summary>
    public static IEnumerable<(string Key, ReadOnlyMemory<byte> Body)> Read(ReadOnlyMemory<byte> segment, Action<long>? tornAt = null)
    {
        var position = 0;
        while (position < segment.Length)
        {
            if (!TryReadHeader(segment.Span[position..], out var key, out var bodyOffset, out var bodyLength))
            {
                tornAt?.Invoke(position);
                yield break;
            }

            yield return (key, segment.Slice(position + bodyOffset, bodyLength));
            position += bodyOffset + bodyLength;
        }
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> rest, out string key, out int bodyOffset, out int bodyLength)
    {
        key = "";
        bodyOffset = 0;
        bodyLength = 0;
        if (rest.Length < HeaderSize || !rest[..4].SequenceEqual(Magic))
        {
            return false;
        }

        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
        var bodyBytes = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
        if (keyLength > MaxKeyBytes || bodyBytes > int.MaxValue || HeaderSize + keyLength + bodyBytes > (ulong)rest.Length)
        {
            return false;
        }

        var crc = new Crc32();
        crc.Append(rest[..12]);
        crc.Append(rest.Slice(HeaderSize, (int)keyLength));
        if (crc.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(rest[12..]))
        {
            return false;
        }

        key = Encoding.UTF8.GetString(rest.Slice(HeaderSize, (int)keyLength));
        bodyOffset = HeaderSize + (int)keyLength;
        bodyLength = (int)bodyBytes;
        return true;
    }
}
