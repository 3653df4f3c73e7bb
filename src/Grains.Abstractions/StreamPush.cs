namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// One stream's share of a push request, sent from the distributor to the stream grain.
/// <see cref="Batch"/> is an encoded entry batch (the same bytes become the WAL record when every entry is accepted).
/// <see cref="Joined"/>: the distributor joined the stream to its tenant's active-stream count for this push (one
/// call per push for all its new streams), so the grain need not join on its own. <see cref="Indexed"/>: the
/// distributor registered the series in the index of every day of the batch's entries, durably, before this call.
/// </summary>
[GenerateSerializer, Immutable, Alias("StreamPush")]
public sealed record StreamPush(
    [property: Id(0)] string Labels,
    [property: Id(1)] byte[] Batch,
    [property: Id(2)] int EntryCount,
    [property: Id(3)] bool Joined = false,
    [property: Id(4)] bool Indexed = false);

/// <summary>The stream grain's answer once the accepted entries are durable.</summary>
[GenerateSerializer, Immutable, Alias("PushAck")]
public sealed record PushAck(
    [property: Id(0)] int Accepted,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] IReadOnlyList<RejectedEntry> Rejected);

/// <summary>Discard reasons of <see cref="RejectedEntry"/> that callers act on.</summary>
public static class RejectReasons
{
    /// <summary>The silo's unflushed data is at <c>ingester.max_unflushed_bytes</c>: the push is answered 503 (retry later).</summary>
    public const string IngesterMemoryLimit = "ingester_memory_limit";
}

/// <summary>An entry the stream grain refused, with Loki's discard reason and message.</summary>
[GenerateSerializer, Immutable, Alias("RejectedEntry")]
public sealed record RejectedEntry(
    [property: Id(0)] string Reason,
    [property: Id(1)] string Message,
    [property: Id(2)] int Bytes);
