namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// Remembers, per key position in a line, the last raw bytes seen there and the string made from them. Lines of one
/// stream repeat their key order and many of their values (level, method, path...), so comparing a few bytes with
/// the previous line's usually replaces a UTF-8 decode, a sanitising pass and an allocation.
/// </summary>
/// <remarks>One parser, one thread: no locking. Long values are not cached (they rarely repeat).</remarks>
internal sealed class SlotCache
{
    private const int Slots = 32;
    private const int MaxBytes = 48;

    private readonly byte[][] _bytes = new byte[Slots][];
    private readonly int[] _lengths = new int[Slots];
    private readonly string?[] _strings = new string?[Slots];

    /// <summary>The cached string when <paramref name="raw"/> equals what slot <paramref name="slot"/> last held.</summary>
    public string? TryGet(int slot, ReadOnlySpan<byte> raw)
    {
        if (slot >= Slots || _strings[slot] is not { } s)
        {
            return null;
        }
        return raw.SequenceEqual(_bytes[slot].AsSpan(0, _lengths[slot])) ? s : null;
    }

    /// <summary>Remembers <paramref name="value"/> as the string for <paramref name="raw"/> in slot <paramref name="slot"/>.</summary>
    public void Set(int slot, ReadOnlySpan<byte> raw, string value)
    {
        if (slot >= Slots || raw.Length > MaxBytes)
        {
            return;
        }
        var buffer = _bytes[slot] ??= new byte[MaxBytes];
        raw.CopyTo(buffer);
        _lengths[slot] = raw.Length;
        _strings[slot] = value;
    }
}
