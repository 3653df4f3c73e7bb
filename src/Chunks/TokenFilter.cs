using System.Numerics;
using System.Runtime.CompilerServices;

namespace Orleans.Loki.Chunks;

/// <summary>
/// Per-block bloom filter over the byte trigrams of every line, ASCII letters folded to lower case.
/// A substring of a line contains only trigrams of that line, so a literal whose trigrams are not all in the
/// filter cannot occur in the block: <see cref="MayContain"/> has false positives but no false negatives,
/// for case-sensitive and ASCII case-insensitive searches alike. Literals shorter than 3 bytes always "may" match.
/// Layout: the filter is a bit array of a power-of-two size (8..<see cref="ChunkLimits.MaxTokenFilterBytes"/> bytes),
/// bit i is byte i/8, bit i%8; each trigram sets <see cref="HashCount"/> bits by double hashing.
/// </summary>
internal static class TokenFilter
{
    /// <summary>Filter kind byte in the block index: none.</summary>
    public const byte KindNone = 1;

    /// <summary>Filter kind byte in the block index: the trigram bloom filter described above.</summary>
    public const byte KindTrigramBloom = 2;

    /// <summary>Bits set per trigram. At the 1.5–3 bits per distinct trigram that log blocks give, 1 and 2 are about equal; 2 wins for sparser blocks.</summary>
    public const int HashCount = 2;

    /// <summary>
    /// Uncompressed line bytes per filter bit. Log blocks have roughly one distinct trigram per 10–20 line bytes, so
    /// an eighth of a bit per byte gives 1.5–3 bits per trigram: ~30–40% false positives per trigram, but a literal
    /// needs ALL its trigrams to hit, so an absent 8-byte literal passes a block ~1% of the time. This costs about 8%
    /// of the compressed chunk size on generated logfmt/JSON/nginx logs.
    /// </summary>
    private const int BytesPerBit = 8;

    private const int MinFilterBytes = 8;

    private static ReadOnlySpan<byte> FoldTable => [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
        64, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 91, 92, 93, 94, 95,
        96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
        128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159,
        160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
        192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223,
        224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255,
    ];

    /// <summary>Filter size in bytes for a block whose lines total <paramref name="lineBytes"/>.</summary>
    public static int SizeFor(long lineBytes)
    {
        var bits = Math.Max(lineBytes / BytesPerBit, MinFilterBytes * 8L);
        var bytes = (long)BitOperations.RoundUpToPowerOf2((ulong)bits) / 8;
        return (int)Math.Min(bytes, ChunkLimits.MaxTokenFilterBytes);
    }

    /// <summary>Sets the bits of every trigram of <paramref name="line"/> in <paramref name="filter"/> (power-of-two length).</summary>
    public static void Add(Span<byte> filter, ReadOnlySpan<byte> line)
    {
        if (line.Length < 3)
        {
            return;
        }

        var mask = (uint)(filter.Length * 8 - 1);
        var fold = FoldTable;
        var v = ((uint)fold[line[0]] << 8) | fold[line[1]];
        for (var i = 2; i < line.Length; i++)
        {
            v = ((v << 8) | fold[line[i]]) & 0xFFFFFF;
            var (h1, h2) = Hash(v);
            for (var k = 0; k < HashCount; k++)
            {
                var bit = (h1 + (uint)k * h2) & mask;
                filter[(int)(bit >> 3)] |= (byte)(1 << (int)(bit & 7));
            }
        }
    }

    /// <summary>False only when <paramref name="literal"/> cannot occur in any line added to <paramref name="filter"/>.</summary>
    public static bool MayContain(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> literal)
    {
        if (filter.IsEmpty || literal.Length < 3)
        {
            return true;
        }

        var mask = (uint)(filter.Length * 8 - 1);
        var fold = FoldTable;
        var v = ((uint)fold[literal[0]] << 8) | fold[literal[1]];
        for (var i = 2; i < literal.Length; i++)
        {
            v = ((v << 8) | fold[literal[i]]) & 0xFFFFFF;
            var (h1, h2) = Hash(v);
            for (var k = 0; k < HashCount; k++)
            {
                var bit = (h1 + (uint)k * h2) & mask;
                if ((filter[(int)(bit >> 3)] & (1 << (int)(bit & 7))) == 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (uint H1, uint H2) Hash(uint trigram)
    {
        // Fibonacci hashing of the 24-bit trigram: the high and low halves act as two independent hashes.
        var h = trigram * 0x9E3779B97F4A7C15UL;
        return ((uint)(h >> 32), (uint)h | 1);
    }
}
