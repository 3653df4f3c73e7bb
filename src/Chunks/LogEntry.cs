namespace Orleans.Loki.Chunks;

/// <summary>One log entry of a stream.</summary>
/// <param name="TimestampNs">Unix epoch nanoseconds.</param>
/// <param name="Line">The log line as UTF-8 bytes.</param>
/// <param name="Metadata">Loki "structured metadata" name/value pairs; null or empty when there is none.</param>
public readonly record struct LogEntry(long TimestampNs, ReadOnlyMemory<byte> Line, KeyValuePair<string, string>[]? Metadata);
