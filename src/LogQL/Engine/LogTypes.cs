namespace Orleans.Loki.LogQL.Engine;

/// <summary>Order of entries in a log query result.</summary>
public enum Direction
{
    /// <summary>Oldest first.</summary>
    Forward,
    /// <summary>Newest first (Loki's default).</summary>
    Backward,
}

/// <summary>A log entry of a result stream: the (possibly rewritten) line and its label categories.</summary>
public sealed record LogEntry(
    long TimestampNs,
    string Line,
    KeyValuePair<string, string>[] StructuredMetadata,
    KeyValuePair<string, string>[] Parsed);

/// <summary>A result stream: the label set after the pipeline (sorted by name) and its entries in query direction.</summary>
public sealed record ResultStream(KeyValuePair<string, string>[] Labels, string LabelsString, List<LogEntry> Entries);

/// <summary>Raw input for the in-memory querier and tests: one entry of a stored stream.</summary>
public sealed record InputEntry(long TimestampNs, string Line, KeyValuePair<string, string>[]? StructuredMetadata = null);

/// <summary>Raw input for the in-memory querier and tests: a stored stream with its entries.</summary>
public sealed record InputStream(KeyValuePair<string, string>[] Labels, IReadOnlyList<InputEntry> Entries);

/// <summary>What a log query asks the data source for.</summary>
/// <param name="Selector">Selector and pipeline to apply next to the data.</param>
/// <param name="StartNs">Inclusive start.</param>
/// <param name="EndNs">Exclusive end.</param>
/// <param name="Direction">Entry order.</param>
/// <param name="Limit">Entries the engine will keep after merging; a querier may return more.</param>
public sealed record SelectLogParams(Syntax.LogSelectorExpr Selector, long StartNs, long EndNs, Direction Direction, int Limit);
