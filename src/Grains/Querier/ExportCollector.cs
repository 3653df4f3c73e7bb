using System.Buffers;
using System.Text;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// Every selected entry of one series scan for an export: timestamp, label set (a table entry, since a series yields
/// few distinct label sets) and line bytes appended to one buffer. Not thread-safe: one per series.
/// </summary>
internal sealed class ExportCollector
{
    private readonly Dictionary<ulong, int> _byHash = [];
    private readonly Dictionary<string, int> _byText = new(StringComparer.Ordinal);

    public List<string> Labels { get; } = [];
    public List<string[]> StreamLabels { get; } = [];
    public List<string[]?> Metadata { get; } = [];
    public List<string[]?> Parsed { get; } = [];

    public long[] Timestamps { get; private set; } = new long[256];
    public int[] Ids { get; private set; } = new int[256];
    public int[] Offsets { get; private set; } = new int[256];
    public int[] Lengths { get; private set; } = new int[256];
    public ArrayBufferWriter<byte> Data { get; } = new(64 * 1024);
    public int Count { get; private set; }

    /// <summary>An entry that passed the pipeline, its labels in <paramref name="labels"/>.</summary>
    public void Add(long ts, LabelsBuilder labels, ReadOnlySpan<byte> line)
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
        Append(ts, id, line);
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
                var span = Data.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length));
                var n = Encoding.UTF8.GetBytes(line, span);
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
        line.CopyTo(Data.GetSpan(line.Length));
        AppendWritten(ts, id, line.Length);
    }

    private void AppendWritten(long ts, int id, int length)
    {
        if (Count == Timestamps.Length)
        {
            var size = Count * 2;
            Timestamps = Grow(Timestamps, size);
            Ids = Grow(Ids, size);
            Offsets = Grow(Offsets, size);
            Lengths = Grow(Lengths, size);
        }
        Timestamps[Count] = ts;
        Ids[Count] = id;
        Offsets[Count] = Data.WrittenCount;
        Lengths[Count] = length;
        Data.Advance(length);
        Count++;
    }

    private static T[] Grow<T>(T[] array, int size)
    {
        var grown = new T[size];
        Array.Copy(array, grown, array.Length);
        return grown;
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
    /// text, then line bytes), as one page.
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
        var refs = new long[total];
        var k = 0;
        for (var p = 0; p < parts.Count; p++)
        {
            for (var i = 0; i < parts[p].Count; i++)
            {
                refs[k++] = ((long)p << 32) | (uint)i;
            }
        }
        var labelsArray = labels.ToArray();
        Array.Sort(refs, (a, b) =>
        {
            var pa = parts[(int)(a >> 32)];
            var pb = parts[(int)(b >> 32)];
            int ia = (int)a, ib = (int)b;
            var c = pa.Timestamps[ia].CompareTo(pb.Timestamps[ib]);
            if (c != 0)
            {
                return backward ? -c : c;
            }
            c = string.CompareOrdinal(labelsArray[bases[(int)(a >> 32)] + pa.Ids[ia]], labelsArray[bases[(int)(b >> 32)] + pb.Ids[ib]]);
            return c != 0 ? c : pa.Data.WrittenSpan.Slice(pa.Offsets[ia], pa.Lengths[ia]).SequenceCompareTo(pb.Data.WrittenSpan.Slice(pb.Offsets[ib], pb.Lengths[ib]));
        });
        var count = Math.Min(Math.Max(0, limit), total);
        var bytes = 0L;
        for (var j = 0; j < count; j++)
        {
            bytes += parts[(int)(refs[j] >> 32)].Lengths[(int)refs[j]];
        }
        var data = new byte[bytes];
        var ts = new long[count];
        var ids = new int[count];
        var offsets = new int[count];
        var lengths = new int[count];
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
            part.Data.WrittenSpan.Slice(part.Offsets[i], part.Lengths[i]).CopyTo(data.AsSpan(at));
            at += part.Lengths[i];
        }
        return new ExportPage(labelsArray, [.. streams], [.. metadata], [.. parsed], ts, ids, offsets, lengths, data, stats);
    }
}
