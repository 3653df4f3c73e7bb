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
        timestampNs = unchecked(_meta.MinTimeNs + (long)_relative);
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
