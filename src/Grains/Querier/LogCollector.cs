using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// Keeps the first <c>limit</c> selected entries in result order: timestamp in direction, then labels, then line
/// (ordinal). A total order, so every split and shard of a query agrees on which tied entries make the cut.
/// Thread-safe: the series of a shard share one collector, so that once it holds <c>limit</c> entries every series
/// skips whatever is older (backward) or newer (forward) than the worst of them without running the pipeline.
/// </summary>
internal sealed class LogCollector
{
    private readonly bool _backward;
    private readonly int _limit;
    // The root is the worst kept entry: the first to go when a better one arrives.
    private readonly PriorityQueue<Selected, Selected> _heap;
    // Timestamp of the worst kept entry once full (read without the lock: a stale value only admits an entry that
    // the locked insert then drops).
    private long _cutoff;
    private volatile bool _full;

    public LogCollector(bool backward, int limit)
    {
        _backward = backward;
        _limit = Math.Max(0, limit);
        _heap = new PriorityQueue<Selected, Selected>(Comparer<Selected>.Create((a, b) => Compare(b, a)));
    }

    /// <summary>True when an entry at <paramref name="ts"/> cannot make the cut whatever its labels and line.</summary>
    public bool Rejects(long ts)
    {
        if (_limit == 0)
        {
            return true;
        }
        if (!_full)
        {
            return false;
        }
        var worst = Volatile.Read(ref _cutoff);
        return _backward ? ts < worst : ts > worst;
    }

    /// <summary>Offers an entry that passed the pipeline; <paramref name="labels"/> holds its labels.</summary>
    public void Offer(long ts, LabelsBuilder labels, ReadOnlySpan<byte> line)
    {
        if (Rejects(ts))
        {
            return;
        }
        var categorized = labels.Categorized();
        Offer(new Selected(ts, labels.LabelsString(), labels.Labels(), CompiledQuery.Text(line),
            CompiledQuery.Flatten(categorized.StructuredMetadata), CompiledQuery.Flatten(categorized.Parsed)));
    }

    public void Offer(Selected entry)
    {
        if (_limit == 0)
        {
            return;
        }
        lock (_heap)
        {
            if (_heap.Count < _limit)
            {
                _heap.Enqueue(entry, entry);
            }
            else
            {
                _heap.EnqueueDequeue(entry, entry);
            }
            if (_heap.Count == _limit)
            {
                Volatile.Write(ref _cutoff, _heap.Peek().TimestampNs);
                _full = true;
            }
        }
    }

    public void Offer(LogPage page)
    {
        foreach (var stream in page.Streams)
        {
            var pairs = Pairs(stream.LabelPairs);
            for (var i = 0; i < stream.Timestamps.Length; i++)
            {
                if (!Rejects(stream.Timestamps[i]))
                {
                    Offer(new Selected(stream.Timestamps[i], stream.Labels, pairs, stream.Lines[i], stream.StructuredMetadata[i], stream.Parsed[i]));
                }
            }
        }
    }

    public void Offer(LogCollector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var entry in other.Entries())
        {
            if (!Rejects(entry.TimestampNs))
            {
                Offer(entry);
            }
        }
    }

    /// <summary>The kept entries grouped by labels, each stream in result order.</summary>
    public LogPage ToPage(ReadStats stats)
    {
        var all = Entries();
        all.Sort(Compare);
        var streams = new List<LogPageStream>();
        foreach (var group in all.GroupBy(e => e.Labels, StringComparer.Ordinal))
        {
            var entries = group.ToArray();
            streams.Add(new LogPageStream(
                group.Key,
                CompiledQuery.Flatten(entries[0].Pairs) ?? [],
                [.. entries.Select(e => e.TimestampNs)],
                [.. entries.Select(e => e.Line)],
                [.. entries.Select(e => e.StructuredMetadata)],
                [.. entries.Select(e => e.Parsed)]));
        }
        return new LogPage(streams, stats);
    }

    private List<Selected> Entries()
    {
        lock (_heap)
        {
            return [.. _heap.UnorderedItems.Select(i => i.Element)];
        }
    }

    private int Compare(Selected a, Selected b)
    {
        var c = a.TimestampNs.CompareTo(b.TimestampNs);
        if (_backward)
        {
            c = -c;
        }
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Labels, b.Labels);
        }
        return c != 0 ? c : string.CompareOrdinal(a.Line, b.Line);
    }

    private static KeyValuePair<string, string>[] Pairs(string[] flat)
    {
        var pairs = new KeyValuePair<string, string>[flat.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(flat[2 * i], flat[(2 * i) + 1]);
        }
        return pairs;
    }

    /// <summary>One selected entry with its labels after the pipeline.</summary>
    internal sealed record Selected(long TimestampNs, string Labels, KeyValuePair<string, string>[] Pairs, string Line, string[]? StructuredMetadata, string[]? Parsed);
}
