namespace Orleans.Loki.Chunks;

/// <summary>A block taking part in an iteration: its time range and how to get its sorted entries.</summary>
internal readonly record struct BlockSource(long MinTimeNs, long MaxTimeNs, Func<LogEntry[]> Load);
