namespace Orleans.Loki.Chunks;

/// <summary>Result of <see cref="EntryBatch.ReadSegment"/>.</summary>
/// <param name="Entries">Entries of all complete records, in record order; lines slice the segment memory.</param>
/// <param name="RecordCount">Number of complete records read.</param>
/// <param name="TornTail">
/// True when the segment ends in an incomplete record (a crash during an append) that was ignored. Such a segment
/// must not be appended to again: start a new segment, or rewrite this one up to <paramref name="ValidLength"/>.
/// </param>
/// <param name="ValidLength">Bytes taken by the complete records, i.e. where the torn tail (if any) starts.</param>
public sealed record WalSegmentReadResult(List<LogEntry> Entries, int RecordCount, bool TornTail, long ValidLength);
