using System.Buffers;
using System.Text;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// Every selected entry of one series scan for an export: timestamp, label set (a table entry, since a series yields
/// few distinct label sets) and line bytes appended to one buffer. Not thread-safe: one per series. Its buffers are
/// pooled (an export builds a page of them per sub-query; fresh ones would be large-object allocations each time) and
/// given back by <see cref="ToPage"/>.
/// </summary>
internal sealed class ExportCollector
{
    private readonly Dictionary<ulong, int> _byHash = [];
    private readonly Dictionary<string, int> _byText = new(StringComparer.Ordinal);
    private readonly Dictionary<object, int> _byMetadata = new(ReferenceEqualityComparer.Instance);
    private int _withoutMetadata = -1;

    /// <summary>Metadata arrays remembered at most (each block has its own).</summary>
    private const int MaxMetadataArrays = 256;

    public List<string> Labels { get; } = [];
    public List<string[]> StreamLabels { get; } = [];
    public List<string[]?> Metadata { get; } = [];
    public List<string[]?> Parsed { get; } = [];

    public long[] Timestamps { get; private set; } = ArrayPool<long>.Shared.Rent(1024);
    public int[] Ids { get; private set; } = ArrayPool<int>.Shared.Rent(1024);
    public int[] Offsets { get; private set; } = ArrayPool<int>.Shared.Rent(1024);
    public int[] Lengths { get; private set; } = ArrayPool<int>.Shared.Rent(1024);
    public int Count { get; private set; }

    /// <summary>The lines, <see cref="DataLength"/> bytes of it.</summary>
    public byte[] Data { get; private set; } = ArrayPool<byte>.Shared.Rent(64 * 1024);
    public int DataLength { get; private set; }

    private ReadOnlySpan<byte> Line(int i) => Data.AsSpan(Offsets[i], Lengths[i]);

    /// <summary>An entry that passed the pipeline, its labels in <paramref name="labels"/>.</summary>
    public void Add(long ts, LabelsBuilder labels, ReadOnlySpan<byte> line) => Append(ts, IdOf(labels), line);

    /// <summary>
    /// As <see cref="Add(long, LabelsBuilder, ReadOnlySpan{byte})"/> for a pipeline that changes no labels
    /// (<see cref="StreamPipeline.LabelsFollowMetadata"/>): the label set follows from the entry's structured metadata
    /// alone, and a block shares one metadata array among its entries with equal metadata, so the set is looked up by
    /// that array rather than hashed per entry.
    /// </summary>
    public void Add(long ts, LabelsBuilder labels, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
    {
        int id;
        if (metadata is null)
        {
            if (_withoutMetadata < 0)
            {
                _withoutMetadata = IdOf(labels);
            }
            id = _withoutMetadata;
        }
        else if (!_byMetadata.TryGetValue(metadata, out id))
        {
            if (_byMetadata.Count >= MaxMetadataArrays)
            {
                // Arrays of blocks read earlier: do not keep them alive.
                _byMetadata.Clear();
            }
            id = IdOf(labels);
            _byMetadata.Add(metadata, id);
        }
        Append(ts, id, line);
    }

    private int IdOf(LabelsBuilder labels)
    {
        var hash = labels.LabelsHash();
        if (!_byHash.TryGetValue(hash, out var id))
        {
            var text = labels.LabelsString();
            if (!_byText.TryGetValue(text, out id))
            {
                var c = labels.Categorized();
                id = NewLabels(text, CompiledQuery.Flatten(c.Stream) ?? [], CompiledQuery.Flatten(c.StructuredMetadata), CompiledQuery.Flatten(c.Parsed));
            }
            _byHash.Add(hash, id);
        }
        return id;
    }

    /// <summary>Entries the stream grain selected from its in-memory data.</summary>
    public void Add(LogPage page)
    {
        foreach (var stream in page.Streams)
        {
            for (var i = 0; i < stream.Timestamps.Length; i++)
            {
                var metadata = stream.StructuredMetadata[i];
                var parsed = stream.Parsed[i];
                if (!_byText.TryGetValue(stream.Labels, out var id))
                {
                    id = NewLabels(stream.Labels, StreamOnly(stream.LabelPairs, metadata, parsed), metadata, parsed);
                }
                var line = stream.Lines[i];
                var n = Encoding.UTF8.GetBytes(line, Reserve(Encoding.UTF8.GetMaxByteCount(line.Length)));
                AppendWritten(stream.Timestamps[i], id, n);
            }
        }
    }

    private int NewLabels(string text, string[] stream, string[]? metadata, string[]? parsed)
    {
        var id = Labels.Count;
        Labels.Add(text);
        StreamLabels.Add(stream);
        Metadata.Add(metadata);
        Parsed.Add(parsed);
        _byText.Add(text, id);
        return id;
    }

    private void Append(long ts, int id, ReadOnlySpan<byte> line)
    {
        line.CopyTo(Reserve(line.Length));
        AppendWritten(ts, id, line.Length);
    }

    /// <summary>Room for <paramref name="length"/> more bytes of lines.</summary>
    private Span<byte> Reserve(int length)
    {
        if (Data.Length - DataLength < length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(Data.Length * 2, DataLength + length));
            Data.AsSpan(0, DataLength).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(Data);
            Data = grown;
        }
        return Data.AsSpan(DataLength, length);
    }

    private void AppendWritten(long ts, int id, int length)
    {
        if (Count == Timestamps.Length || Count == Ids.Length || Count == Offsets.Length || Count == Lengths.Length)
        {
            var size = Count * 2;
            Timestamps = Grow(Timestamps, size);
            Ids = Grow(Ids, size);
            Offsets = Grow(Offsets, size);
            Lengths = Grow(Lengths, size);
        }
        Timestamps[Count] = ts;
        Ids[Count] = id;
        Offsets[Count] = DataLength;
        Lengths[Count] = length;
        DataLength += length;
        Count++;
    }

    private static T[] Grow<T>(T[] array, int size)
    {
        var grown = ArrayPool<T>.Shared.Rent(size);
        Array.Copy(array, grown, array.Length);
        ArrayPool<T>.Shared.Return(array);
        return grown;
    }

    /// <summary>Gives the buffers back to the pool; the collector is not used afterwards.</summary>
    private void Release()
    {
        ArrayPool<long>.Shared.Return(Timestamps);
        ArrayPool<int>.Shared.Return(Ids);
        ArrayPool<int>.Shared.Return(Offsets);
        ArrayPool<int>.Shared.Return(Lengths);
        ArrayPool<byte>.Shared.Return(Data);
        Timestamps = [];
        Ids = Offsets = Lengths = [];
        Data = [];
        Count = DataLength = 0;
    }

    private static string[] StreamOnly(string[] all, string[]? metadata, string[]? parsed)
    {
        if (metadata is null && parsed is null)
        {
            return all;
        }
        var other = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; metadata is not null && i < metadata.Length; i += 2)
        {
            other.Add(metadata[i]);
        }
        for (var i = 0; parsed is not null && i < parsed.Length; i += 2)
        {
            other.Add(parsed[i]);
        }
        var result = new List<string>(all.Length);
        for (var i = 0; i < all.Length; i += 2)
        {
            if (!other.Contains(all[i]))
            {
                result.Add(all[i]);
                result.Add(all[i + 1]);
            }
        }
        return [.. result];
    }

    /// <summary>
    /// The first <paramref name="limit"/> entries of all the series' collectors in direction (timestamp, then labels
    /// text, then line bytes), as one page. Gives the collectors' buffers back.
    /// </summary>
    public static ExportPage ToPage(IReadOnlyList<ExportCollector> parts, bool backward, int limit, ReadStats stats)
    {
        var labels = new List<string>();
        var streams = new List<string[]>();
        var metadata = new List<string[]?>();
        var parsed = new List<string[]?>();
        var total = 0;
        var bases = new int[parts.Count];
        for (var p = 0; p < parts.Count; p++)
        {
            bases[p] = labels.Count;
            labels.AddRange(parts[p].Labels);
            streams.AddRange(parts[p].StreamLabels);
            metadata.AddRange(parts[p].Metadata);
            parsed.AddRange(parts[p].Parsed);
            total += parts[p].Count;
        }
        // Entry references: (part, index) packed in a long for the sort.
        var rented = ArrayPool<long>.Shared.Rent(total);
        var refs = rented.AsSpan(0, total);
        var k = 0;
        for (var p = 0; p < parts.Count; p++)
        {
            for (var i = 0; i < parts[p].Count; i++)
            {
                refs[k++] = ((long)p << 32) | (uint)i;
            }
        }
        var labelsArray = labels.ToArray();
        // By timestamp first, on primitive keys (no comparison delegate per step); then each run of equal timestamps by
        // labels and line, which is where the full comparison is needed. A series' entries come out of its chunks in
        // time order, so the parts are usually sorted already: then they are merged rather than sorted.
        var rentedKeys = ArrayPool<long>.Shared.Rent(total);
        var keys = rentedKeys.AsSpan(0, total);
        if (!MergeSorted(parts, keys, refs))
        {
            k = 0;
            for (var p = 0; p < parts.Count; p++)
            {
                parts[p].Timestamps.AsSpan(0, parts[p].Count).CopyTo(keys[k..]);
                k += parts[p].Count;
            }
            keys.Sort(refs);
        }
        if (backward)
        {
            keys.Reverse();
            refs.Reverse();
        }
        Comparison<long> ties = (a, b) =>
        {
            var pa = parts[(int)(a >> 32)];
            var pb = parts[(int)(b >> 32)];
            int ia = (int)a, ib = (int)b;
            var c = string.CompareOrdinal(labelsArray[bases[(int)(a >> 32)] + pa.Ids[ia]], labelsArray[bases[(int)(b >> 32)] + pb.Ids[ib]]);
            return c != 0 ? c : pa.Line(ia).SequenceCompareTo(pb.Line(ib));
        };
        for (var run = 0; run < total;)
        {
            var end = run + 1;
            while (end < total && keys[end] == keys[run])
            {
                end++;
            }
            if (end - run > 1)
            {
                refs[run..end].Sort(ties);
            }
            run = end;
        }
        ArrayPool<long>.Shared.Return(rentedKeys);
        var count = Math.Min(Math.Max(0, limit), total);
        var bytes = 0L;
        for (var j = 0; j < count; j++)
        {
            bytes += parts[(int)(refs[j] >> 32)].Lengths[(int)refs[j]];
        }
        // Every element is written below: no need to zero them first.
        var data = GC.AllocateUninitializedArray<byte>(checked((int)bytes));
        var ts = GC.AllocateUninitializedArray<long>(count);
        var ids = GC.AllocateUninitializedArray<int>(count);
        var offsets = GC.AllocateUninitializedArray<int>(count);
        var lengths = GC.AllocateUninitializedArray<int>(count);
        var at = 0;
        for (var j = 0; j < count; j++)
        {
            var p = (int)(refs[j] >> 32);
            var i = (int)refs[j];
            var part = parts[p];
            ts[j] = part.Timestamps[i];
            ids[j] = bases[p] + part.Ids[i];
            offsets[j] = at;
            lengths[j] = part.Lengths[i];
            part.Line(i).CopyTo(data.AsSpan(at));
            at += part.Lengths[i];
        }
        ArrayPool<long>.Shared.Return(rented);
        foreach (var part in parts)
        {
            part.Release();
        }
        return new ExportPage(labelsArray, [.. streams], [.. metadata], [.. parsed], ts, ids, offsets, lengths, data, stats);
    }

    /// <summary>Up to this many parts a linear merge beats the sort; beyond it the sort is used.</summary>
    private const int MaxMergedParts = 8;

    /// <summary>
    /// When at most <see cref="MaxMergedParts"/> parts and every part's timestamps ascend: merges them into <paramref name="keys"/> (timestamps) and
    /// <paramref name="refs"/> (part, index), equal timestamps in part order. False, with nothing written, otherwise.
    /// </summary>
    private static bool MergeSorted(IReadOnlyList<ExportCollector> parts, Span<long> keys, Span<long> refs)
    {
        if (parts.Count > MaxMergedParts)
        {
            return false;
        }
        foreach (var part in parts)
        {
            var t = part.Timestamps.AsSpan(0, part.Count);
            for (var i = 1; i < t.Length; i++)
            {
                if (t[i] < t[i - 1])
                {
                    return false;
                }
            }
        }
        // Each part's next timestamp (long.MaxValue once it is used up; a real one at MaxValue is taken last, in order).
        Span<long> heads = stackalloc long[parts.Count];
        Span<int> cursors = stackalloc int[parts.Count];
        var timestamps = new long[parts.Count][];
        var counts = new int[parts.Count];
        for (var p = 0; p < parts.Count; p++)
        {
            timestamps[p] = parts[p].Timestamps;
            counts[p] = parts[p].Count;
            heads[p] = counts[p] > 0 ? timestamps[p][0] : long.MaxValue;
        }
        for (var n = 0; n < keys.Length; n++)
        {
            // Few parts: a linear pick of the smallest head.
            var best = -1;
            var bestTs = long.MaxValue;
            for (var p = 0; p < heads.Length; p++)
            {
                if (heads[p] < bestTs || (best < 0 && cursors[p] < counts[p]))
                {
                    best = p;
                    bestTs = heads[p];
                }
            }
            var c = cursors[best]++;
            keys[n] = bestTs;
            refs[n] = ((long)best << 32) | (uint)c;
            heads[best] = c + 1 < counts[best] ? timestamps[best][c + 1] : long.MaxValue;
        }
        return true;
    }
}
