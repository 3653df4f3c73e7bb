namespace Orleans.Loki.Chunks;

/// <summary>Result of <see cref="MemChunk.Append(in LogEntry)"/>.</summary>
public enum AppendOutcome
{
    /// <summary>The entry was added to the head block.</summary>
    Appended = 1,

    /// <summary>An entry with the same timestamp and the same line is already in the head block; nothing was added (Loki drops these silently).</summary>
    Duplicate = 2,
}
