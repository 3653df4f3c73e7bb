using Orleans.Loki.Chunks;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// A block visitor that passes entries straight to the processor unless they fall into a contested time range (where
/// a duplicate may exist); those are copied aside for de-duplication.
/// </summary>
internal sealed class ContestedEntries(List<(long From, long To)> ranges, EntryProcessor processor) : IEntryVisitor
{
    public List<LogEntry> Entries { get; } = [];

    public bool Visit(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
    {
        if (ranges.Count > 0 && IsContested(ranges, timestampNs))
        {
            // The block buffer is pooled: keep a copy.
            Entries.Add(new LogEntry(timestampNs, line.ToArray(), metadata));
            return true;
        }
        return processor.Visit(timestampNs, line, metadata);
    }

    /// <summary>True when some contested range meets <c>[from, to]</c>: entries there must be read with their lines.</summary>
    public bool Overlaps(long from, long to) => Overlaps(ranges, from, to);

    /// <summary>True when one of <paramref name="ranges"/> (sorted, disjoint, inclusive) meets <c>[from, to]</c>.</summary>
    public static bool Overlaps(List<(long From, long To)> ranges, long from, long to)
    {
        // The first range ending at or after from; it meets [from, to] when it starts by to.
        int lo = 0, hi = ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].To < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo < ranges.Count && ranges[lo].From <= to;
    }

    /// <summary>True when <paramref name="ts"/> is in one of <paramref name="ranges"/> (sorted, disjoint, inclusive).</summary>
    public static bool IsContested(List<(long From, long To)> ranges, long ts)
    {
        int lo = 0, hi = ranges.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].To < ts)
            {
                lo = mid + 1;
            }
            else if (ranges[mid].From > ts)
            {
                hi = mid - 1;
            }
            else
            {
                return true;
            }
        }
        return false;
    }
}
