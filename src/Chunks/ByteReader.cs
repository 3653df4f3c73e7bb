using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Orleans.Loki.Chunks;

/// <summary>
/// Bounds-checked reader over one section of chunk or record bytes. Every failure throws
/// <see cref="InvalidChunkException"/> naming the section, the field and the absolute offset.
/// </summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private readonly string _section;
    private int _position;

    public ByteReader(ReadOnlySpan<byte> data, long baseOffset, string section)
    {
        _data = data;
        _baseOffset = baseOffset;
        _section = section;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly long AbsoluteOffset => _baseOffset + _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUVarint(string field)
    {
        var n = VarInt.TryRead(_data[_position..], out var value);
        if (n <= 0)
        {
            ThrowBadVarint(field, n);
        }

        _position += n;
        return value;
    }

    public long ReadVarint(string field) => VarInt.UnZigZag(ReadUVarint(field));

    /// <summary>Reads an unsigned varint that must be in [0, max].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadLength(string field, int max)
    {
        var start = AbsoluteOffset;
        var value = ReadUVarint(field);
        if (max < 0 || value > (ulong)max)
        {
            throw Fail($"{field} {value} exceeds the limit {max}", start);
        }

        return (int)value;
    }

    public byte ReadByte(string field)
    {
        if (_position >= _data.Length)
        {
            throw Fail($"truncated reading {field}", AbsoluteOffset);
        }

        return _data[_position++];
    }

    public uint ReadUInt32LittleEndian(string field) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(sizeof(uint), field));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if ((uint)count > (uint)Remaining)
        {
            ThrowTruncated(field, count);
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public string ReadUtf8String(int count, string field)
    {
        var start = AbsoluteOffset;
        var bytes = ReadBytes(count, field);
        try
        {
            return _utf8Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidChunkException($"{_section}: {field} is not valid UTF-8 (at offset {start})", e);
        }
    }

    public readonly void ExpectEnd()
    {
        if (_position != _data.Length)
        {
            throw Fail($"{_data.Length - _position} unexpected trailing bytes", AbsoluteOffset);
        }
    }

    public readonly InvalidChunkException Fail(string what, long absoluteOffset) => new($"{_section}: {what}", absoluteOffset);

    private static readonly UTF8Encoding _utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly void ThrowBadVarint(string field, int n) =>
        throw Fail(n == 0 ? $"truncated reading {field}" : $"{field} varint overflows 64 bits", AbsoluteOffset);

    private readonly void ThrowTruncated(string field, int count) =>
        throw Fail($"truncated reading {field}: need {count} bytes, {Remaining} left", AbsoluteOffset);
}
