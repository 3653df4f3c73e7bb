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
    /// <summary>Upper bound of the block header (symbol and set counts, time scale, column lengths, line layout).</summary>
    private const int HeaderBound = 8 * VarInt.MaxLength;

    private readonly SymbolTable _symbols = new();
    private readonly Dictionary<long, int> _lastIndexByTime = [];
    private readonly Dictionary<MetaSet, int> _setIds;
    private readonly List<MetaSet> _sets = [];
    // Small to start with: a silo holds a head block per active stream, and most new streams hold a few entries
    // before their first flush (the arrays double as they fill).
    private byte[] _lines = new byte[512];
    private int _linesLength;
    private Entry[] _entries = new Entry[8];
    private int[] _metaIds = new int[8];
    private int _metaLength;
    private bool _inOrder = true;
    private bool _linesHaveNewline;
    private int _emptySetId = -1;
    private readonly (string? Name, string? Value, int SetId)[] _singlePairs = new (string?, string?, int)[8];
    private int _nextSinglePair;

    public HeadBlock()
    {
        _setIds = new Dictionary<MetaSet, int>(new MetaSetComparer(this));
        SerializedBound = HeaderBound;
    }

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
        if (_inOrder && (Count == 0 || ts >= MaxTimeNs))
        {
            // In order so far: the entries with this timestamp can only be the last ones, at MaxTimeNs.
            if (Count > 0 && ts == MaxTimeNs)
            {
                for (var i = Count - 1; i >= 0 && _entries[i].TimestampNs == ts; i--)
                {
                    if (line.SequenceEqual(_lines.AsSpan(_entries[i].LineOffset, _entries[i].LineLength)))
                    {
                        return AppendOutcome.Duplicate;
                    }
                }

                previousSameTime = Count - 1;
            }
        }
        else
        {
            if (_inOrder)
            {
                // The first append out of order: from now on, find same-timestamp entries through an index.
                for (var i = 0; i < Count; i++)
                {
                    _lastIndexByTime[_entries[i].TimestampNs] = i;
                }
            }

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

            _inOrder = false;
        }

        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        EnsureLines(line.Length);
        line.CopyTo(_lines.AsSpan(_linesLength));
        _linesHaveNewline = _linesHaveNewline || line.Contains((byte)'\n');
        var setId = SetIdOf(entry.Metadata);
        _entries[Count] = new Entry(ts, _linesLength, line.Length, setId, previousSameTime);
        if (!_inOrder)
        {
            _lastIndexByTime[ts] = Count;
        }

        _linesLength += line.Length;
        Count++;
        UncompressedBytes += contentBytes;
        SerializedBound += bound;
        MinTimeNs = Math.Min(MinTimeNs, ts);
        MaxTimeNs = Math.Max(MaxTimeNs, ts);
        return AppendOutcome.Appended;
    }

    /// <summary>
    /// The block's id of the metadata list <paramref name="pairs"/>: entries refer to their distinct list (typically
    /// one of a handful per block). Single pairs are looked up by the identity of their strings first: decoded batches
    /// share one string instance per symbol, so most entries skip hashing their metadata.
    /// </summary>
    private int SetIdOf(KeyValuePair<string, string>[]? pairs)
    {
        var pairCount = pairs?.Length ?? 0;
        if (pairCount == 0 && _emptySetId >= 0)
        {
            return _emptySetId;
        }

        if (pairCount == 1)
        {
            var pair = pairs![0];
            foreach (var cached in _singlePairs)
            {
                if (ReferenceEquals(cached.Name, pair.Key) && ReferenceEquals(cached.Value, pair.Value))
                {
                    return cached.SetId;
                }
            }
        }

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

        var set = new MetaSet(metaStart, pairCount);
        if (_setIds.TryGetValue(set, out var setId))
        {
            _metaLength = metaStart;
        }
        else
        {
            setId = _sets.Count;
            _sets.Add(set);
            _setIds.Add(set, setId);
        }

        if (pairCount == 0)
        {
            _emptySetId = setId;
        }
        else if (pairCount == 1)
        {
            _singlePairs[_nextSinglePair] = (pairs![0].Key, pairs[0].Value, setId);
            _nextSinglePair = (_nextSinglePair + 1) % _singlePairs.Length;
        }

        return setId;
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
        scratch.WriteUVarint((ulong)_sets.Count);
        foreach (var set in _sets)
        {
            scratch.WriteUVarint((ulong)set.PairCount);
            for (var m = 0; m < set.PairCount * 2; m++)
            {
                scratch.WriteUVarint((ulong)_metaIds[set.Start + m]);
            }
        }

        // Timestamps: deltas in sorted order divided by their greatest common divisor (the clock's resolution, or
        // the spacing of regular emitters), so that millisecond-resolution deltas take one or two bytes, not four.
        var entries = _entries;
        ulong scale = 0;
        var previous = MinTimeNs;
        foreach (var index in order)
        {
            var delta = (ulong)(entries[index].TimestampNs - previous);
            previous = entries[index].TimestampNs;
            if (delta != 0 && scale != 1)
            {
                scale = scale == 0 ? delta : Gcd(scale, delta);
            }
        }

        scale = Math.Max(scale, 1);
        scratch.WriteUVarint(scale);
        var columnBytes = 0;
        previous = MinTimeNs;
        foreach (var index in order)
        {
            columnBytes += VarInt.Size((ulong)(entries[index].TimestampNs - previous) / scale);
            previous = entries[index].TimestampNs;
        }

        scratch.WriteUVarint((ulong)columnBytes);
        previous = MinTimeNs;
        foreach (var index in order)
        {
            scratch.WriteUVarint((ulong)(entries[index].TimestampNs - previous) / scale);
            previous = entries[index].TimestampNs;
        }

        columnBytes = 0;
        if (_sets.Count > 1)
        {
            foreach (var index in order)
            {
                columnBytes += VarInt.Size((ulong)entries[index].SetId);
            }
        }

        scratch.WriteUVarint((ulong)columnBytes);
        if (_sets.Count > 1)
        {
            foreach (var index in order)
            {
                scratch.WriteUVarint((ulong)entries[index].SetId);
            }
        }

        // Lines back to back, so that LZ4 finds the repeats between consecutive lines as it does in a log file.
        if (_linesHaveNewline)
        {
            scratch.WriteByte(LineLayoutLengths);
            columnBytes = 0;
            foreach (var index in order)
            {
                columnBytes += VarInt.Size((ulong)entries[index].LineLength);
            }

            scratch.WriteUVarint((ulong)columnBytes);
            foreach (var index in order)
            {
                scratch.WriteUVarint((ulong)entries[index].LineLength);
            }

            if (_inOrder)
            {
                scratch.Write(_lines.AsSpan(0, _linesLength));
            }
            else
            {
                foreach (var index in order)
                {
                    scratch.Write(_lines.AsSpan(entries[index].LineOffset, entries[index].LineLength));
                }
            }
        }
        else
        {
            scratch.WriteByte(LineLayoutNewlines);
            var destination = scratch.GetSpan(_linesLength + Count);
            var position = 0;
            foreach (var index in order)
            {
                ref readonly var e = ref entries[index];
                _lines.AsSpan(e.LineOffset, e.LineLength).CopyTo(destination[position..]);
                position += e.LineLength;
                destination[position++] = (byte)'\n';
            }

            scratch.Advance(position);
        }

        var uncompressed = scratch.WrittenSpan;
        var compressed = Compress(uncompressed, options.Level);
        byte[] filter = [];
        if (options.TokenFilter)
        {
            // Every trigram of the lines in insertion order, including the two that span each pair of adjacent lines:
            // extra trigrams only add false positives, never false negatives.
            filter = TokenFilter.Build(_lines.AsSpan(0, _linesLength));
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
            var set = _sets[e.SetId];
            if (set.PairCount > 0)
            {
                pairs = new KeyValuePair<string, string>[set.PairCount];
                for (var m = 0; m < pairs.Length; m++)
                {
                    pairs[m] = new(_symbols[_metaIds[set.Start + (2 * m)]], _symbols[_metaIds[set.Start + (2 * m) + 1]]);
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

    /// <summary>Line layout byte of a block: a column of line lengths, then the lines back to back.</summary>
    public const byte LineLayoutLengths = 1;

    /// <summary>Line layout byte of a block: every line followed by '\n' (no line of the block contains one).</summary>
    public const byte LineLayoutNewlines = 2;

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
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
        _linesHaveNewline = false;
        _symbols.Clear();
        _sets.Clear();
        _setIds.Clear();
        _emptySetId = -1;
        Array.Clear(_singlePairs);
        _nextSinglePair = 0;
        _lastIndexByTime.Clear();
        UncompressedBytes = 0;
        SerializedBound = HeaderBound;
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

    private readonly record struct Entry(long TimestampNs, int LineOffset, int LineLength, int SetId, int PreviousSameTime);

    /// <summary>A distinct metadata list of the block: <see cref="PairCount"/> (name, value) symbol id pairs at <see cref="Start"/> in the id buffer.</summary>
    private readonly record struct MetaSet(int Start, int PairCount);

    /// <summary>Compares metadata lists by their symbol ids.</summary>
    private sealed class MetaSetComparer(HeadBlock head) : IEqualityComparer<MetaSet>
    {
        public bool Equals(MetaSet x, MetaSet y) =>
            x.PairCount == y.PairCount && head._metaIds.AsSpan(x.Start, 2 * x.PairCount).SequenceEqual(head._metaIds.AsSpan(y.Start, 2 * y.PairCount));

        public int GetHashCode(MetaSet set)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(head._metaIds.AsSpan(set.Start, 2 * set.PairCount)));
            return hash.ToHashCode();
        }
    }
}
