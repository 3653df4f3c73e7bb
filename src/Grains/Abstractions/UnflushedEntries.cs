namespace Orleans.Loki.Grains.Abstractions;

/// <summary>A stream grain's in-memory entries for a time range, encoded as one entry batch.</summary>
[GenerateSerializer, Immutable, Alias("UnflushedEntries")]
public sealed record UnflushedEntries(
    [property: Id(0)] string Labels,
    [property: Id(1)] byte[] Batch,
    [property: Id(2)] int EntryCount);
