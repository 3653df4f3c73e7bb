using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// One frame of a silo WAL segment: the entry-batch records of one stream from one group commit. Layout: "OLKL",
/// u32 key length, u32 body length, u32 CRC-32 of the first 12 header bytes and the key, the key (UTF-8 stream grain
/// key <c>{tenant}/{stream}</c>, a zero byte, then the stream's labels <c>{a="b", ...}</c>), then the body: entry-batch
/// records exactly as a per-stream WAL segment holds them (each with its own checksums). All integers little-endian.
/// Every frame names its stream's labels, so recovery needs nothing but the silo WAL to rebuild a stream, and a new
/// stream costs no object of its own on the push path. Frames of older versions ("OLKS") have the stream key alone;
/// those versions wrote the labels to a per-stream object instead.
/// </summary>
internal static class SiloWalFrame
{
    public const int HeaderSize = 16;

    /// <summary>Stream keys are short; anything longer is corruption.</summary>
    private const int MaxKeyBytes = 4096;

    /// <summary>Longest key section of a frame with labels: the stream key and far more label bytes than limits allow.</summary>
    private const int MaxKeyAndLabelsBytes = 1 << 20;

    private static ReadOnlySpan<byte> Magic => "OLKL"u8;

    private static ReadOnlySpan<byte> MagicWithoutLabels => "OLKS"u8;

    /// <summary>A frame: its stream key, the stream's labels (null in frames of older versions) and its records.</summary>
    internal readonly record struct Frame(string Key, string? Labels, ReadOnlyMemory<byte> Body)
    {
        public void Deconstruct(out string key, out ReadOnlyMemory<byte> body)
        {
            key = Key;
            body = Body;
        }
    }

    /// <summary>Bytes of the key section for <paramref name="key"/> and <paramref name="labels"/>, at most.</summary>
    public static int MaxKeySectionBytes(string key, string labels) =>
        Encoding.UTF8.GetMaxByteCount(key.Length) + 1 + Encoding.UTF8.GetMaxByteCount(labels.Length);

    /// <summary>
    /// Writes the header, the key and the labels into <paramref name="destination"/>; the caller copies the body after
    /// them. Returns the bytes written.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, string key, string labels, int bodyBytes)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key, destination[HeaderSize..]);
        destination[HeaderSize + keyBytes] = 0;
        keyBytes += 1 + Encoding.UTF8.GetBytes(labels, destination[(HeaderSize + keyBytes + 1)..]);
        return Seal(destination, Magic, keyBytes, bodyBytes);
    }

    public static int Size(int keyBytes, int bodyBytes) => HeaderSize + keyBytes + bodyBytes;

    /// <summary>As <see cref="WriteHeader(Span{byte}, string, string, int)"/> without labels: the frame of an older version.</summary>
    public static int WriteHeader(Span<byte> destination, string key, int bodyBytes)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key, destination[HeaderSize..]);
        return Seal(destination, MagicWithoutLabels, keyBytes, bodyBytes);
    }

    private static int Seal(Span<byte> destination, ReadOnlySpan<byte> magic, int keyBytes, int bodyBytes)
    {
        magic.CopyTo(destination);
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
    public static IEnumerable<Frame> Read(ReadOnlyMemory<byte> segment, Action<long>? tornAt = null)
    {
        var position = 0;
        while (position < segment.Length)
        {
            if (!TryReadHeader(segment.Span[position..], out var key, out var labels, out var bodyOffset, out var bodyLength))
            {
                tornAt?.Invoke(position);
                yield break;
            }

            yield return new Frame(key, labels, segment.Slice(position + bodyOffset, bodyLength));
            position += bodyOffset + bodyLength;
        }
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> rest, out string key, out string? labels, out int bodyOffset, out int bodyLength)
    {
        key = "";
        labels = null;
        bodyOffset = 0;
        bodyLength = 0;
        if (rest.Length < HeaderSize)
        {
            return false;
        }
        var withLabels = rest[..4].SequenceEqual(Magic);
        if (!withLabels && !rest[..4].SequenceEqual(MagicWithoutLabels))
        {
            return false;
        }

        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
        var bodyBytes = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
        if (keyLength > (withLabels ? MaxKeyAndLabelsBytes : MaxKeyBytes) || bodyBytes > int.MaxValue || HeaderSize + keyLength + bodyBytes > (ulong)rest.Length)
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

        var section = rest.Slice(HeaderSize, (int)keyLength);
        if (withLabels)
        {
            var zero = section.IndexOf((byte)0);
            if (zero < 0)
            {
                return false;
            }
            labels = Encoding.UTF8.GetString(section[(zero + 1)..]);
            section = section[..zero];
        }
        key = Encoding.UTF8.GetString(section);
        bodyOffset = HeaderSize + (int)keyLength;
        bodyLength = (int)bodyBytes;
        return true;
    }
}
