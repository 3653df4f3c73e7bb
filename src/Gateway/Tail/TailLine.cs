namespace Orleans.Loki.Gateway.Tail;

/// <summary>One entry on its way to a tail client: its labels after the pipeline and its (possibly rewritten) line.</summary>
internal sealed record TailLine(long TimestampNs, string LabelsKey, KeyValuePair<string, string>[] Labels, string Line);

/// <summary>An entry the client was too slow to receive (Loki's <c>dropped_entries</c> item).</summary>
internal readonly record struct DroppedEntry(long TimestampNs, KeyValuePair<string, string>[] Labels);

/// <summary>One websocket message: entries in timestamp order, and what was dropped since the last message.</summary>
internal sealed record TailFrame(IReadOnlyList<TailLine> Lines, IReadOnlyList<DroppedEntry> Dropped);
