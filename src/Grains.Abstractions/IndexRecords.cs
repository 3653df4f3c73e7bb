namespace Orleans.Loki.Grains.Abstractions;

/// <summary>A flushed chunk of one series as the index records it.</summary>
[GenerateSerializer, Immutable, Alias("ChunkRef")]
public sealed record ChunkRef(
    [property: Id(0)] string Key,
    [property: Id(1)] long FromNs,
    [property: Id(2)] long ThroughNs,
    [property: Id(3)] int Entries,
    [property: Id(4)] long UncompressedBytes,
    [property: Id(5)] long CompressedBytes);

/// <summary>A label matcher as sent over the wire: type is one of <c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>.</summary>
[GenerateSerializer, Immutable, Alias("MatcherSpec")]
public sealed record MatcherSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string Type,
    [property: Id(2)] string Value);

/// <summary>A series matching a lookup, with its chunks overlapping the range.</summary>
[GenerateSerializer, Immutable, Alias("SeriesMatch")]
public sealed record SeriesMatch(
    [property: Id(0)] ulong Fingerprint,
    [property: Id(1)] string Labels,
    [property: Id(2)] IReadOnlyList<ChunkRef> Chunks);
