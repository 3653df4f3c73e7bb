using System.Buffers;
using System.Text;
using K4os.Compression.LZ4;

namespace Orleans.Loki.Chunks;

/// <summary>
/// The uncompressed, append-only tail of a <see cref="MemChunk"/>. Lines are copied into one growing buffer and
/// metadata is kept as symbol ids, so an append allocates nothing once the buffers have grown. Buffers are reused
/// after each cut. Not thread-safe.
/// </summary>
internal sealed class HeadBlock
{
    private readonly SymbolTable _symbols = new();
    private readonly Dictionary<long, int> _lastIndexByTime = [];
    private byte[] _lines = new byte[4096];
    private int _linesLength;
    private Entry[] _entries = new Entry[64];
    private int[] _metaIds = new int[64];
    private int _metaLength;
    private bool _inOrder = true;

    public int Count { get; private set; }

    /// <summary>Line plus metadata bytes (UTF-8), the size the cut threshold is measured in.</summary>
    public long UncompressedBytes { get; private set; }

    /// <summary>Upper bound of the serialized block size, to keep blocks under <see cref="ChunkLimits.MaxBlockUncompressedBytes"/>.</summary>
    public long SerializedBound { get; private set; }

    public long MinTimeNs { get; private set; } = long.MaxValue;

    public long MaxTimeNs { get; private set; } = long.MinValue;

    /// <summary>Upper bound of the serialized size <paramref name="entry"/> adds (metadata bytes counted once more for new symbols).</summary>
    public static long EntryBound(in LogEntry entry, out long contentBytes)
    {
        long metaBytes = 0;
        var pairs = entry.Metadata;
        if (pairs is not null)
        {
            foreach (var pair in pairs)
            {
                metaBytes += Encoding.UTF8.GetByteCount(pair.Key) + Encoding.UTF8.GetByteCount(pair.Value);
            }
        }

        contentBytes = entry.Line.Length + metaBytes;
        var pairCount = pairs?.Length ?? 0;
        return (3 * VarInt.MaxLength) + entry.Line.Length + (pairCount * 4L * VarInt.MaxLength) + metaBytes;
    }

    public AppendOutcome Append(in LogEntry entry, long contentBytes, long bound)
    {
        var line = entry.Line.Span;
        var ts = entry.TimestampNs;
        var previousSameTime = -1;
        if (_lastIndexByTime.TryGetValue(ts, out var last))
        {
            for (var i = last; i >= 0; i = _entries[i].PreviousSameTime)
            {
                ref readonly var other = ref _entries[i];
                if (line.SequenceEqual(_lines.AsSpan(other.LineOffset, other.LineLength)))
                {
                    return AppendOutcome.Duplicate;
                }
            }

            previousSameTime = last;
        }

        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        EnsureLines(line.Length);
        line.CopyTo(_lines.AsSpan(_linesLength));
        var pairs = entry.Metadata;
        var pairCount = pairs?.Length ?? 0;
        var metaStart = _metaLength;
        if (pairCount > 0)
        {
            EnsureMeta(pairCount * 2);
            foreach (var pair in pairs!)
            {
                _metaIds[_metaLength++] = _symbols.GetOrAdd(pair.Key);
                _metaIds[_metaLength++] = _symbols.GetOrAdd(pair.Value);
            }
        }

        if (Count > 0 && ts < MaxTimeNs)
        {
            _inOrder = false;
        }

        _entries[Count] = new Entry(ts, _linesLength, line.Length, metaStart, pairCount, previousSameTime);
        _lastIndexByTime[ts] = Count;
        _linesLength += line.Length;
        Count++;
        UncompressedBytes += contentBytes;
        SerializedBound += bound;
        MinTimeNs = Math.Min(MinTimeNs, ts);
        MaxTimeNs = Math.Max(MaxTimeNs, ts);
        return AppendOutcome.Appended;
    }

    /// <summary>Compresses the head into a block at <paramref name="offset"/> in the chunk and resets the head.</summary>
    public CutBlock Cut(ChunkOptions options, long offset, PooledByteBuffer scratch)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The head block is empty.");
        }

        var order = SortedOrder();
        scratch.Clear();
        _symbols.WriteTo(scratch);
        var previous = MinTimeNs;
        foreach (var index in order)
        {
            ref readonly var e = ref _entries[index];
            scratch.WriteUVarint((ulong)(e.TimestampNs - previous));
            previous = e.TimestampNs;
            scratch.WriteUVarint((ulong)e.LineLength);
            scratch.Write(_lines.AsSpan(e.LineOffset, e.LineLength));
            scratch.WriteUVarint((ulong)e.MetaCount);
            for (var m = 0; m < e.MetaCount * 2; m++)
            {
                scratch.WriteUVarint((ulong)_metaIds[e.MetaStart + m]);
            }
        }

        var uncompressed = scratch.WrittenSpan;
        var compressed = Compress(uncompressed, options.Level);
        byte[] filter = [];
        if (options.TokenFilter)
        {
            filter = new byte[TokenFilter.SizeFor(_linesLength)];
            for (var i = 0; i < Count; i++)
            {
                TokenFilter.Add(filter, _lines.AsSpan(_entries[i].LineOffset, _entries[i].LineLength));
            }
        }

        var meta = new BlockMeta(MinTimeNs, MaxTimeNs, Count, offset, compressed.Length, uncompressed.Length, Crc32C.Compute(compressed), filter);
        Reset();
        return new CutBlock(meta, compressed);
    }

    /// <summary>Copies the entries in [from, through) in timestamp order (ties in insertion order) into fresh memory.</summary>
    public LogEntry[] Snapshot(long fromNs, long throughNs)
    {
        if (Count == 0 || MaxTimeNs < fromNs || MinTimeNs >= throughNs)
        {
            return [];
        }

        var order = SortedOrder();
        var selected = 0;
        var bytes = 0;
        foreach (var index in order)
        {
            var ts = _entries[index].TimestampNs;
            if (ts >= fromNs && ts < throughNs)
            {
                selected++;
                bytes += _entries[index].LineLength;
            }
        }

        var result = new LogEntry[selected];
        var copy = new byte[bytes];
        var position = 0;
        var n = 0;
        foreach (var index in order)
        {
            ref readonly var e = ref _entries[index];
            if (e.TimestampNs < fromNs || e.TimestampNs >= throughNs)
            {
                continue;
            }

            _lines.AsSpan(e.LineOffset, e.LineLength).CopyTo(copy.AsSpan(position));
            KeyValuePair<string, string>[]? pairs = null;
            if (e.MetaCount > 0)
            {
                pairs = new KeyValuePair<string, string>[e.MetaCount];
                for (var m = 0; m < pairs.Length; m++)
                {
                    pairs[m] = new(_symbols[_metaIds[e.MetaStart + (2 * m)]], _symbols[_metaIds[e.MetaStart + (2 * m) + 1]]);
                }
            }

            result[n++] = new LogEntry(e.TimestampNs, copy.AsMemory(position, e.LineLength), pairs);
            position += e.LineLength;
        }

        return result;
    }

    private int[] SortedOrder()
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (!_inOrder)
        {
            var entries = _entries;
            Array.Sort(order, (a, b) =>
            {
                var c = entries[a].TimestampNs.CompareTo(entries[b].TimestampNs);
                return c != 0 ? c : a.CompareTo(b);
            });
        }

        return order;
    }

    private static byte[] Compress(ReadOnlySpan<byte> source, LZ4Level level)
    {
        var rented = ArrayPool<byte>.Shared.Rent(LZ4Codec.MaximumOutputSize(source.Length));
        try
        {
            var length = LZ4Codec.Encode(source, rented, level);
            if (length <= 0)
            {
                throw new InvalidOperationException($"LZ4 compression of {source.Length} bytes failed.");
            }

            return rented.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Reset()
    {
        Count = 0;
        _linesLength = 0;
        _metaLength = 0;
        _inOrder = true;
        _symbols.Clear();
        _lastIndexByTime.Clear();
        UncompressedBytes = 0;
        SerializedBound = 0;
        MinTimeNs = long.MaxValue;
        MaxTimeNs = long.MinValue;
    }

    private void EnsureLines(int extra)
    {
        if (_lines.Length - _linesLength < extra)
        {
            var size = Math.Max((long)_lines.Length * 2, (long)_linesLength + extra);
            Array.Resize(ref _lines, (int)Math.Min(size, Array.MaxLength));
        }
    }

    private void EnsureMeta(int extra)
    {
        if (_metaIds.Length - _metaLength < extra)
        {
            Array.Resize(ref _metaIds, Math.Max(_metaIds.Length * 2, _metaLength + extra));
        }
    }

    private readonly record struct Entry(long TimestampNs, int LineOffset, int LineLength, int MetaStart, int MetaCount, int PreviousSameTime);
}
