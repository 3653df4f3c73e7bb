namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// A log deletion request of one tenant (Loki's <c>/loki/api/v1/delete</c>). Lines of streams matching the query's
/// selector, with <c>StartNs ≤ ts ≤ EndNs</c> and accepted by the query's pipeline, are deleted.
/// </summary>
/// <param name="RequestId">8 lowercase hex digits.</param>
/// <param name="StartNs">Start of the range (unix ns, inclusive).</param>
/// <param name="EndNs">End of the range (unix ns, inclusive).</param>
/// <param name="Query">LogQL log selector with an optional pipeline.</param>
/// <param name="CreatedNs">Creation time (unix ns); the cancel period runs from here.</param>
/// <param name="Shards">Shards the range is split into (<c>max_interval</c>, only for queries with a filter).</param>
/// <param name="ProcessedShards">Shards the compactor has physically applied, in order.</param>
[GenerateSerializer, Immutable, Alias("DeleteRequest")]
public sealed record DeleteRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] long StartNs,
    [property: Id(2)] long EndNs,
    [property: Id(3)] string Query,
    [property: Id(4)] long CreatedNs,
    [property: Id(5)] int Shards,
    [property: Id(6)] int ProcessedShards)
{
    /// <summary>Loki's status text: <c>received</c>, <c>N% Complete</c> or <c>processed</c>.</summary>
    public string Status => ProcessedShards == 0 ? "received"
        : ProcessedShards >= Shards ? "processed"
        : $"{(int)((double)ProcessedShards / Shards * 100)}% Complete";

    /// <summary>Range of shard <paramref name="shard"/> (inclusive ends; consecutive shards share their boundary).</summary>
    public (long StartNs, long EndNs) ShardRange(int shard)
    {
        if (Shards <= 1)
        {
            return (StartNs, EndNs);
        }
        var step = (EndNs - StartNs) / Shards;
        var start = StartNs + (step * shard);
        return (start, shard == Shards - 1 ? EndNs : start + step);
    }
}

/// <summary>What the read path applies for one delete request: drop matching lines in <c>[StartNs, EndNs]</c>.</summary>
[GenerateSerializer, Immutable, Alias("DeleteFilterSpec")]
public sealed record DeleteFilterSpec(
    [property: Id(0)] string Query,
    [property: Id(1)] long StartNs,
    [property: Id(2)] long EndNs);

/// <summary>Outcome of a cancel (mapped to Loki's status codes and texts by the HTTP layer).</summary>
public enum CancelOutcome
{
    Cancelled,
    NotFound,
    AlreadyProcessed,
    NotAllowed,
}

/// <summary>What one compactor run did.</summary>
[GenerateSerializer, Immutable, Alias("CompactorRunResult")]
public sealed record CompactorRunResult(
    [property: Id(0)] int ChunksMarked,
    [property: Id(1)] int ChunksRewritten,
    [property: Id(2)] int ChunksDeleted,
    [property: Id(3)] int SeriesRemoved,
    [property: Id(4)] int IndexFilesRemoved,
    [property: Id(5)] int DeleteShardsProcessed,
    [property: Id(6)] int OrphansRemoved)
{
    /// <summary>Cold chunks merged and recompressed (their keys are marked).</summary>
    [Id(7)]
    public int ChunksCompacted { get; init; }

    /// <summary>Chunks written by the cold compaction.</summary>
    [Id(8)]
    public int ChunksCompactedInto { get; init; }
}
