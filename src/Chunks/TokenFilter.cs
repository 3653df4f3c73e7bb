using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Loki.Chunks;

/// <summary>
/// Per-block bloom filter over the byte trigrams of every line, ASCII letters folded to lower case.
/// A substring of a line contains only trigrams of that line, so a literal whose trigrams are not all in the
/// filter cannot occur in the block: <see cref="MayContain"/> has false positives but no false negatives,
/// for case-sensitive and ASCII case-insensitive searches alike. Literals shorter than 3 bytes always "may" match.
/// Layout: the filter is a bit array of 8..<see cref="ChunkLimits.MaxTokenFilterBytes"/> bytes, a multiple of 8;
/// bit i is byte i/8, bit i%8; each trigram sets one bit (see <see cref="BitOf"/>), and the size follows the number
/// of distinct trigrams of the block (see <see cref="Build"/>).
/// </summary>
internal static class TokenFilter
{
    /// <summary>Filter kind byte in the block index: none.</summary>
    public const byte KindNone = 1;

    /// <summary>Filter kind byte in the block index: the trigram bloom filter described above.</summary>
    public const byte KindTrigramBloom = 2;

    /// <summary>
    /// Filter bits per distinct trigram of the block. With one bit per trigram, an absent trigram of a literal hits a
    /// set bit with probability about 1 - e^(-1/bits) (39% at 2 bits), and a literal passes only when all of its
    /// absent trigrams do: 6 absent trigrams pass 0.4% of the time, 10 under 0.01%.
    /// </summary>
    private const double BitsPerTrigram = 2;

    /// <summary>
    /// Line bytes per bit of the counting filter the trigrams are first added to: it measures the number of distinct
    /// trigrams, and is fine enough that its bits map to mostly one bit of the final filter.
    /// </summary>
    private const int CountingBytesPerBit = 1;

    /// <summary>Line bytes folded per step of <see cref="Build"/>.</summary>
    private const int FoldBlock = 4096;

    /// <summary>Filters are whole 64-bit words: 8..<see cref="ChunkLimits.MaxTokenFilterBytes"/> bytes, a multiple of 8.</summary>
    private const int WordBytes = 8;

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

    /// <summary>
    /// The filter of a block: every trigram of <paramref name="lines"/> (ASCII letters folded to lower case) sets bit
    /// <see cref="BitOf"/> of a filter with <see cref="BitsPerTrigram"/> bits per distinct trigram of the block.
    /// The trigrams are first added to a power-of-two counting filter of one bit per <see cref="CountingBytesPerBit"/>
    /// line bytes (same hash, so its bit i stands for the hashes whose top bits are i); its fill gives the number of
    /// distinct trigrams, which sizes the final filter, and each of its set bits then sets the one or two final bits
    /// its hash range maps to. That is a superset of the bits the trigrams themselves would set (never a false
    /// negative), hashing each trigram once.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<byte> lines)
    {
        var countingBits = (int)Math.Min(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(lines.Length / CountingBytesPerBit, WordBytes * 8)), ChunkLimits.MaxTokenFilterBytes * 8L);
        var countingWords = countingBits / 64;
        var rented = ArrayPool<ulong>.Shared.Rent(countingWords + ((FoldBlock + WordBytes) / sizeof(ulong)));
        try
        {
            var counting = rented.AsSpan(0, countingWords);
            counting.Clear();
            var folded = MemoryMarshal.AsBytes(rented.AsSpan(countingWords, (FoldBlock + WordBytes) / sizeof(ulong)));
            AddTrigrams(counting, countingBits, lines, folded);

            long set = 0;
            foreach (var word in counting)
            {
                set += BitOperations.PopCount(word);
            }

            // Linear counting: n distinct trigrams leave a fraction e^(-n/m) of the m bits clear.
            var distinct = set >= countingBits ? countingBits * 4.0 : -countingBits * Math.Log(1 - ((double)set / countingBits));
            var bits = Math.Clamp((long)Math.Ceiling(distinct * BitsPerTrigram / 64) * 64, WordBytes * 8, countingBits);
            var filter = new byte[bits / 8];
            if (bits == countingBits)
            {
                for (var w = 0; w < counting.Length; w++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(filter.AsSpan(w * sizeof(ulong)), counting[w]);
                }

                return filter;
            }

            // Counting bit i holds the hashes h with h * countingBits >> 32 == i, which the final filter maps to bits
            // i * bits / countingBits through ((i + 1) * bits - 1) / countingBits: one bit, or two at a boundary.
            for (var w = 0; w < counting.Length; w++)
            {
                for (var word = counting[w]; word != 0; word &= word - 1)
                {
                    var i = (long)(w * 64) + BitOperations.TrailingZeroCount(word);
                    var first = i * bits / countingBits;
                    var last = (((i + 1) * bits) - 1) / countingBits;
                    filter[first >> 3] |= (byte)(1 << (int)(first & 7));
                    filter[last >> 3] |= (byte)(1 << (int)(last & 7));
                }
            }

            return filter;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    /// <summary>Bit of an <paramref name="bits"/>-bit filter that <paramref name="trigram"/> (<c>b0 | b1 &lt;&lt; 8 | b2 &lt;&lt; 16</c>, folded) sets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BitOf(uint trigram, ulong bits) => (uint)(((trigram * HashMultiplier) * bits) >> 32);

    /// <summary>Sets the bit of every trigram of <paramref name="text"/> in a power-of-two filter; <paramref name="folded"/> is scratch of <see cref="FoldBlock"/> + 8 bytes.</summary>
    private static void AddTrigrams(Span<ulong> filter, int bits, ReadOnlySpan<byte> text, Span<byte> folded)
    {
        if (text.Length < 3)
        {
            return;
        }

        // For a power-of-two size, the bit is the top log2(bits) bits of the 32-bit hash.
        var shift = 32 - BitOperations.Log2((uint)bits);
        ref var words = ref MemoryMarshal.GetReference(filter);
        ref var foldedRef = ref MemoryMarshal.GetReference(folded);
        // Each step folds FoldBlock bytes plus the 2 after them, so the trigrams that start in the step are complete.
        for (var start = 0; start < text.Length - 2; start += FoldBlock)
        {
            var count = Math.Min(FoldBlock + 2, text.Length - start);
            FoldCase(text.Slice(start, count), folded);
            folded[count] = 0;
            var trigrams = count - 2;
            for (var i = 0; i < trigrams; i++)
            {
                var bytes = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref foldedRef, i));
                if (!BitConverter.IsLittleEndian)
                {
                    bytes = BinaryPrimitives.ReverseEndianness(bytes);
                }

                var bit = ((bytes & 0xFFFFFF) * HashMultiplier) >> shift;
                Unsafe.Add(ref words, (int)(bit >> 6)) |= 1UL << (int)bit;
            }
        }
    }

    private const uint HashMultiplier = 0x9E3779B1u;

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> with ASCII 'A'..'Z' lower-cased.</summary>
    private static void FoldCase(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<byte>((byte)'A');
            var range = new Vector<byte>(25);
            var bit = new Vector<byte>(0x20);
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                var v = new Vector<byte>(source[i..]);
                var upper = Vector.LessThanOrEqual(v - a, range);
                (v | (upper & bit)).CopyTo(destination[i..]);
            }
        }

        var fold = FoldTable;
        for (; i < source.Length; i++)
        {
            destination[i] = fold[source[i]];
        }
    }

    /// <summary>False only when <paramref name="literal"/> cannot occur in any line added to <paramref name="filter"/>.</summary>
    public static bool MayContain(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> literal)
    {
        if (filter.IsEmpty || literal.Length < 3)
        {
            return true;
        }

        var bits = (ulong)filter.Length * 8;
        var fold = FoldTable;
        var v = ((uint)fold[literal[1]] << 16) | ((uint)fold[literal[0]] << 8);
        for (var i = 2; i < literal.Length; i++)
        {
            // Little-endian trigram: first byte lowest, as read from the folded text when building.
            v = (v >> 8) | ((uint)fold[literal[i]] << 16);
            var bit = BitOf(v, bits);
            if ((filter[(int)(bit >> 3)] & (1 << (int)(bit & 7))) == 0)
            {
                return false;
            }
        }

        return true;
    }
}
