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
        if (ranges.Count > 0 && IsContested(timestampNs))
        {
            // The block buffer is pooled: keep a copy.
            Entries.Add(new LogEntry(timestampNs, line.ToArray(), metadata));
            return true;
        }
        return processor.Visit(timestampNs, line, metadata);
    }

    private bool IsContested(long ts)
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
