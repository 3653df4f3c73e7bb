using System.Runtime.CompilerServices;

namespace Orleans.Loki.Chunks;

/// <summary>LEB128 unsigned varints and zig-zag signed varints (the same encoding as protobuf and Go's encoding/binary).</summary>
internal static class VarInt
{
    public const int MaxLength = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static int Size(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Reads a varint; returns the bytes consumed, 0 when the input ends first, -1 when it overflows 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryRead(ReadOnlySpan<byte> source, out ulong value)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            value = source[0];
            return 1;
        }

        return TryReadSlow(source, out value);
    }

    private static int TryReadSlow(ReadOnlySpan<byte> source, out ulong value)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            if (i == MaxLength - 1 && b > 1)
            {
                return -1;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return i + 1;
            }

            shift += 7;
            if (i == MaxLength - 1)
            {
                return -1;
            }
        }

        value = 0;
        return 0;
    }
}
