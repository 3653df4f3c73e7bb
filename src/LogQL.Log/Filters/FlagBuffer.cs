using System.Buffers;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A pooled copy of a span of line flags, for filters that combine two block results.</summary>
internal readonly ref struct FlagBuffer
{
    private readonly bool[] _array;

    public FlagBuffer(ReadOnlySpan<bool> initial)
    {
        _array = ArrayPool<bool>.Shared.Rent(initial.Length);
        Flags = _array.AsSpan(0, initial.Length);
        initial.CopyTo(Flags);
    }

    public Span<bool> Flags { get; }

    public void Dispose() => ArrayPool<bool>.Shared.Return(_array);
}
