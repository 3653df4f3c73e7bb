using System.Buffers.Binary;
using System.Numerics;

namespace Orleans.Loki.Chunks;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every chunk section and WAL record. System.IO.Hashing has no CRC-32C,
/// but <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the SSE4.2/ARM CRC instructions (with a table fallback).
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (a finished CRC of the preceding bytes) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        while (data.Length >= sizeof(ulong))
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return ~state;
    }
}
