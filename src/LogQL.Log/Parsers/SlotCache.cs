namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// Remembers, per key position in a line, the last raw bytes seen there and what was made from them (a string, a key). Lines of one
/// stream repeat their key order and many of their values (level, method, path...), so comparing a few bytes with
/// the previous line's usually replaces a UTF-8 decode, a sanitising pass and an allocation.
/// </summary>
/// <remarks>One parser, one thread: no locking. Long values are not cached (they rarely repeat).</remarks>
internal sealed class SlotCache<T>
    where T : class
{
    private const int Slots = 32;
    private const int MaxBytes = 48;

    private readonly byte[][] _bytes = new byte[Slots][];
    private readonly int[] _lengths = new int[Slots];
    private readonly T?[] _values = new T?[Slots];

    /// <summary>The cached value when <paramref name="raw"/> equals what slot <paramref name="slot"/> last held.</summary>
    public T? TryGet(int slot, ReadOnlySpan<byte> raw)
    {
        if (slot >= Slots || _values[slot] is not { } s)
        {
            return null;
        }
        return raw.SequenceEqual(_bytes[slot].AsSpan(0, _lengths[slot])) ? s : null;
    }

    /// <summary>Remembers <paramref name="value"/> as the value for <paramref name="raw"/> in slot <paramref name="slot"/>.</summary>
    public void Set(int slot, ReadOnlySpan<byte> raw, T value)
    {
        if (slot >= Slots || raw.Length > MaxBytes)
        {
            return;
        }
        var buffer = _bytes[slot] ??= new byte[MaxBytes];
        raw.CopyTo(buffer);
        _lengths[slot] = raw.Length;
        _values[slot] = value;
    }
}
