namespace Orleans.Loki.Chunks;

/// <summary>
/// Reads the entries of one decompressed block (format version 2, see README.md) in order: the header (symbols,
/// metadata sets, time scale) up front, then one cursor per column (timestamps, metadata sets, line lengths or
/// newline-terminated lines). Validates every field against the block's index entry.
/// </summary>
internal ref struct BlockParser
{
    private readonly ReadOnlySpan<byte> _block;
    private readonly BlockMeta _meta;
    private readonly KeyValuePair<string, string>[]?[] _sets;
    private readonly ulong _scale;
    private readonly ulong _span;
    private readonly bool _newlines;
    private readonly string _section;
    private ByteReader _times;
    private ByteReader _setIds;
    private ByteReader _lengths;
    private int _linePosition;
    private ulong _relative;
    private int _index;

    public BlockParser(ReadOnlySpan<byte> block, BlockMeta meta, int blockNumber)
    {
        _block = block;
        _meta = meta;
        var section = _section = $"block {blockNumber} (decompressed)";
        var reader = new ByteReader(block, 0, section);
        var symbols = SymbolTable.Read(ref reader);
        // A set takes at least its pair count byte.
        var setCount = reader.ReadLength("metadata set count", reader.Remaining);
        if (setCount == 0)
        {
            throw reader.Fail("no metadata sets (an entry without metadata refers to an empty set)", reader.AbsoluteOffset);
        }

        _sets = new KeyValuePair<string, string>[]?[setCount];
        for (var i = 0; i < setCount; i++)
        {
            _sets[i] = SymbolTable.ReadPairs(ref reader, symbols);
        }

        var scaleOffset = reader.AbsoluteOffset;
        _scale = reader.ReadUVarint("timestamp scale");
        if (_scale == 0)
        {
            throw reader.Fail("timestamp scale is 0", scaleOffset);
        }

        var timeBytes = reader.ReadLength("timestamp column length", reader.Remaining);
        _times = new ByteReader(reader.ReadBytes(timeBytes, "timestamp column"), reader.AbsoluteOffset - timeBytes, section);
        var setBytes = reader.ReadLength("metadata set column length", reader.Remaining);
        if ((setCount == 1) != (setBytes == 0))
        {
            throw reader.Fail($"metadata set column of {setBytes} bytes for {setCount} sets", reader.AbsoluteOffset);
        }

        _setIds = new ByteReader(reader.ReadBytes(setBytes, "metadata set column"), reader.AbsoluteOffset - setBytes, section);
        var layout = reader.ReadByte("line layout");
        switch (layout)
        {
            case HeadBlock.LineLayoutLengths:
                var lengthBytes = reader.ReadLength("line length column length", reader.Remaining);
                _lengths = new ByteReader(reader.ReadBytes(lengthBytes, "line length column"), reader.AbsoluteOffset - lengthBytes, section);
                break;
            case HeadBlock.LineLayoutNewlines:
                _newlines = true;
                _lengths = new ByteReader([], reader.AbsoluteOffset, section);
                break;
            default:
                throw reader.Fail($"unknown line layout {layout}", reader.AbsoluteOffset - 1);
        }

        _linePosition = reader.Position;
        _span = unchecked((ulong)(meta.MaxTimeNs - meta.MinTimeNs));
        _relative = 0;
        _index = 0;
    }

    /// <summary>The block's distinct metadata sets; <see cref="NextTimestamp"/> returns indexes into it.</summary>
    public readonly KeyValuePair<string, string>[]?[] MetadataSets => _sets;

    /// <summary>True when lines are newline-terminated (no length column: a line's length is only known from the lines).</summary>
    public readonly bool NewlineLayout => _newlines;

    /// <summary>Where the lines start: the block bytes up to here are all <see cref="NextTimestamp"/> reads.</summary>
    public readonly int LinesOffset => _linePosition;

    /// <summary>
    /// The bytes from the start of a decompressed block up to its first line (symbols, metadata sets, the timestamp,
    /// metadata set and line length columns), read from its first <paramref name="prefix"/> bytes; -1 when the prefix
    /// ends before that or does not parse (the full parser then reports what is wrong).
    /// </summary>
    public static int ColumnsLength(ReadOnlySpan<byte> prefix)
    {
        var position = 0;
        if (!Skip(prefix, ref position, out var symbols))
        {
            return -1;
        }
        for (ulong i = 0; i < symbols; i++)
        {
            if (!Skip(prefix, ref position, out var length) || !Advance(prefix, ref position, length))
            {
                return -1;
            }
        }
        if (!Skip(prefix, ref position, out var sets))
        {
            return -1;
        }
        for (ulong i = 0; i < sets; i++)
        {
            if (!Skip(prefix, ref position, out var pairs) || pairs > ChunkLimits.MaxMetadataPairs)
            {
                return -1;
            }
            for (ulong j = 0; j < pairs * 2; j++)
            {
                if (!Skip(prefix, ref position, out _))
                {
                    return -1;
                }
            }
        }
        if (!Skip(prefix, ref position, out _)
            || !Skip(prefix, ref position, out var timeBytes) || !Advance(prefix, ref position, timeBytes)
            || !Skip(prefix, ref position, out var setBytes) || !Advance(prefix, ref position, setBytes)
            || position >= prefix.Length)
        {
            return -1;
        }
        var layout = prefix[position++];
        if (layout == HeadBlock.LineLayoutLengths
            && (!Skip(prefix, ref position, out var lengthBytes) || !Advance(prefix, ref position, lengthBytes)))
        {
            return -1;
        }
        return position;

        static bool Skip(ReadOnlySpan<byte> data, ref int position, out ulong value)
        {
            var n = VarInt.TryRead(data[position..], out value);
            if (n <= 0)
            {
                return false;
            }
            position += n;
            return true;
        }

        static bool Advance(ReadOnlySpan<byte> data, ref int position, ulong count)
        {
            if (count > (ulong)(data.Length - position))
            {
                return false;
            }
            position += (int)count;
            return true;
        }
    }

    /// <summary>
    /// Reads the next entry's timestamp and metadata set (an index into <see cref="MetadataSets"/>) without looking at
    /// its line; <paramref name="lineLength"/> is the line's length from the length column, or -1 in the newline layout.
    /// Validates the columns as <see cref="Next"/> does. Do not mix with <see cref="Next"/> on one parser.
    /// </summary>
    public bool NextTimestamp(out long timestampNs, out int set, out int lineLength)
    {
        if (_index == _meta.EntryCount)
        {
            timestampNs = 0;
            set = 0;
            lineLength = 0;
            return false;
        }
        timestampNs = ReadTimestamp();
        set = _sets.Length == 1 ? 0 : _setIds.ReadLength("metadata set", _sets.Length - 1);
        if (_newlines)
        {
            lineLength = -1;
        }
        else
        {
            // The lines need not be there: bound each length by the bytes the index says the block has.
            lineLength = _lengths.ReadLength("line length", _meta.UncompressedLength - _linePosition);
            _linePosition += lineLength;
        }
        _index++;
        return true;
    }

    private long ReadTimestamp()
    {
        var deltaOffset = _times.AbsoluteOffset;
        var scaled = _times.ReadUVarint("timestamp delta");
        if (_index == 0 && scaled != 0)
        {
            throw _times.Fail($"the first timestamp is not the block's minimum {_meta.MinTimeNs}", deltaOffset);
        }

        if (scaled > (_span - _relative) / _scale)
        {
            throw _times.Fail($"entry {_index} timestamp is past the block's maximum {_meta.MaxTimeNs}", deltaOffset);
        }

        _relative += scaled * _scale;
        return unchecked(_meta.MinTimeNs + (long)_relative);
    }

    /// <summary>Reads the next entry; its line is <c>block[lineOffset..lineOffset + lineLength]</c>.</summary>
    public bool Next(out long timestampNs, out int lineOffset, out int lineLength, out KeyValuePair<string, string>[]? metadata)
    {
        if (_index == _meta.EntryCount)
        {
            timestampNs = 0;
            lineOffset = lineLength = 0;
            metadata = null;
            return false;
        }

        timestampNs = ReadTimestamp();
        metadata = _sets.Length == 1 ? _sets[0] : _sets[_setIds.ReadLength("metadata set", _sets.Length - 1)];
        lineOffset = _linePosition;
        if (_newlines)
        {
            var end = _block[_linePosition..].IndexOf((byte)'\n');
            if (end < 0)
            {
                throw new InvalidChunkException($"{_section}: entry {_index} has no line terminator", _linePosition);
            }

            lineLength = end;
            _linePosition += end + 1;
        }
        else
        {
            lineLength = _lengths.ReadLength("line length", _block.Length - _linePosition);
            _linePosition += lineLength;
        }

        _index++;
        return true;
    }

    /// <summary>After the last entry: every column and the lines were consumed exactly, and the timestamps end at the block's maximum.</summary>
    public readonly void ExpectEnd()
    {
        _times.ExpectEnd();
        _setIds.ExpectEnd();
        _lengths.ExpectEnd();
        if (_linePosition != _block.Length)
        {
            throw new InvalidChunkException($"{_section}: {_block.Length - _linePosition} unexpected trailing bytes after the lines", _linePosition);
        }

        if (_relative != _span)
        {
            throw new InvalidChunkException($"{_section}: last timestamp {unchecked(_meta.MinTimeNs + (long)_relative)}, index says {_meta.MaxTimeNs}", 0);
        }
    }
}
