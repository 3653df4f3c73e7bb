using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// Vectorised substring search over UTF-8 bytes for a literal, exact or ASCII case-insensitive.
/// </summary>
/// <remarks>
/// Exact needles use the runtime's vectorised <c>IndexOf</c>. For case-insensitive needles two "anchor" bytes (the
/// two rarest in log text, by a fixed frequency ranking) are compared 32 positions at a time, and only positions
/// where both match are verified in full. Letters are compared with the 0x20 bit forced on, which matches exactly
/// their two ASCII cases, so folding case adds one OR per vector. Anchoring on rare bytes rather than the first byte
/// keeps candidates few for needles such as "error" whose first letter is everywhere.
/// </remarks>
internal sealed class LiteralSearch
{
    // Bytes in rough order of frequency in log lines (most frequent first); anything absent counts as rare.
    private const string CommonBytes = " etaoinsr0l1d2c=hu\"3m5p:4-.g8f796/_,y{}wbk[]TvxSEAIRNLOCD";

    private readonly byte[] _needle;
    private readonly bool _ignoreCase;
    private readonly int _offset1;
    private readonly int _offset2;
    private readonly byte _value1;
    private readonly byte _mask1;
    private readonly byte _value2;
    private readonly byte _mask2;

    /// <param name="needle">Non-empty literal; lower-cased ASCII when <paramref name="ignoreCase"/>.</param>
    /// <param name="ignoreCase">ASCII case-insensitive matching.</param>
    public LiteralSearch(byte[] needle, bool ignoreCase)
    {
        if (needle.Length == 0)
        {
            throw new ArgumentException("the needle must not be empty", nameof(needle));
        }
        _needle = needle;
        _ignoreCase = ignoreCase;
        (_offset1, _offset2) = Anchors(needle, ignoreCase);
        (_value1, _mask1) = Anchor(needle[_offset1], ignoreCase);
        (_value2, _mask2) = Anchor(needle[_offset2], ignoreCase);
    }

    public int Length => _needle.Length;

    /// <summary>Index of the first occurrence in <paramref name="haystack"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> haystack)
    {
        if (!_ignoreCase)
        {
            // The runtime's vectorised search (first/last byte packed compare) is as fast as ours for exact needles.
            return haystack.IndexOf(_needle);
        }
        var n = _needle.Length;
        var last = haystack.Length - n;
        if (last < 0)
        {
            return -1;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var limit = haystack.Length - Vector256<byte>.Count - Math.Max(_offset1, _offset2);
            if (limit >= 0)
            {
                return IndexOfVector256(haystack, limit, last);
            }
        }
        for (var i = 0; i <= last; i++)
        {
            if ((haystack[i + _offset1] | _mask1) == _value1 && (haystack[i + _offset2] | _mask2) == _value2 && Verify(haystack.Slice(i, n)))
            {
                return i;
            }
        }
        return -1;
    }

    // Loads at i + offset stay inside the haystack for every i <= limit. The last round runs at limit itself
    // (overlapping the one before) and covers starts up to limit + 31, which is >= last.
    private int IndexOfVector256(ReadOnlySpan<byte> haystack, int limit, int last)
    {
        ref var start = ref MemoryMarshal.GetReference(haystack);
        var v1 = Vector256.Create(_value1);
        var m1 = Vector256.Create(_mask1);
        var v2 = Vector256.Create(_value2);
        var m2 = Vector256.Create(_mask2);
        var o1 = (nuint)_offset1;
        var o2 = (nuint)_offset2;
        var i = 0;
        while (true)
        {
            var a = Vector256.LoadUnsafe(ref start, (nuint)i + o1) | m1;
            var b = Vector256.LoadUnsafe(ref start, (nuint)i + o2) | m2;
            var bits = (Vector256.Equals(a, v1) & Vector256.Equals(b, v2)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                var at = i + BitOperations.TrailingZeroCount(bits);
                if (at <= last && Verify(haystack.Slice(at, _needle.Length)))
                {
                    return at;
                }
                bits &= bits - 1;
            }
            if (i == limit)
            {
                return -1;
            }
            i = Math.Min(i + Vector256<byte>.Count, limit);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Verify(ReadOnlySpan<byte> candidate) =>
        _ignoreCase ? Ascii.EqualsIgnoreCase(candidate, _needle) : candidate.SequenceEqual(_needle);

    private static (byte Value, byte Mask) Anchor(byte b, bool ignoreCase) =>
        ignoreCase && char.IsAsciiLetter((char)b) ? ((byte)(b | 0x20), (byte)0x20) : (b, (byte)0);

    private static (int, int) Anchors(byte[] needle, bool ignoreCase)
    {
        if (needle.Length == 1)
        {
            return (0, 0);
        }
        var best = -1;
        var second = -1;
        for (var i = 0; i < needle.Length; i++)
        {
            if (best < 0 || Rank(needle[i], ignoreCase) > Rank(needle[best], ignoreCase))
            {
                second = best;
                best = i;
            }
            else if (second < 0 || Rank(needle[i], ignoreCase) > Rank(needle[second], ignoreCase))
            {
                second = i;
            }
        }
        return best < second ? (best, second) : (second, best);
    }

    // Higher is rarer.
    private static int Rank(byte b, bool ignoreCase)
    {
        var c = (char)b;
        if (ignoreCase && char.IsAsciiLetterUpper(c))
        {
            c = char.ToLowerInvariant(c);
        }
        var i = CommonBytes.IndexOf(c, StringComparison.Ordinal);
        return i < 0 ? CommonBytes.Length : i;
    }
}
