using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Orleans.Loki.Chunks;

/// <summary>A growable byte buffer on <see cref="ArrayPool{T}"/> with varint helpers; the encoders' scratch space.</summary>
internal sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;

    public PooledByteBuffer(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public Span<byte> WrittenSpanMutable => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        EnsureFree(1);
        _buffer[_length++] = value;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        EnsureFree(data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUVarint(ulong value)
    {
        EnsureFree(VarInt.MaxLength);
        _length += VarInt.Write(_buffer.AsSpan(_length), value);
    }

    public void WriteVarint(long value) => WriteUVarint(VarInt.ZigZag(value));

    public void WriteUInt32LittleEndian(uint value)
    {
        EnsureFree(sizeof(uint));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += sizeof(uint);
    }

    public void WriteUInt64LittleEndian(ulong value)
    {
        EnsureFree(sizeof(ulong));
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += sizeof(ulong);
    }

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureFree(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }
    }

    private void Grow(int count)
    {
        var needed = (long)_length + count;
        var size = Math.Max(needed, (long)_buffer.Length * 2);
        var newBuffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(size, Array.MaxLength));
        if (newBuffer.Length < needed)
        {
            throw new InvalidOperationException($"Buffer cannot grow to {needed} bytes.");
        }

        _buffer.AsSpan(0, _length).CopyTo(newBuffer);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = newBuffer;
    }
}
