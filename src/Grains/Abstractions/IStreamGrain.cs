using Orleans.Concurrency;

namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// The ingester for one stream, keyed <c>{tenant}/{fingerprint:x16}</c>: holds the head chunk in memory,
/// appends every accepted batch to its WAL before acknowledging, and flushes chunks to the object store.
/// </summary>
[Alias("IStreamGrain")]
public interface IStreamGrain : IGrainWithStringKey
{
    /// <summary>Appends a batch; completes only after the accepted entries are durable in the WAL.</summary>
    [Alias("Push"), AlwaysInterleave]
    Task<PushAck> PushAsync(StreamPush push);

    /// <summary>Evaluates a log or metric sub-query over the in-memory entries (see <see cref="HeadSelect"/>).</summary>
    [Alias("SelectHead"), AlwaysInterleave]
    Task<HeadPage> SelectHeadAsync(HeadSelect select);

    /// <summary>
    /// The in-memory chunks (head and cut, not yet flushed) overlapping <c>[fromNs, throughNs)</c>, described like
    /// flushed chunk refs (time span, entries, uncompressed bytes; empty key). Nothing is decompressed or copied.
    /// </summary>
    [Alias("InMemoryChunks"), AlwaysInterleave]
    Task<IReadOnlyList<ChunkRef>> InMemoryChunksAsync(long fromNs, long throughNs);

    /// <summary>Flushes every in-memory entry to a chunk in the object store and registers it with the index.</summary>
    [Alias("Flush")]
    Task FlushAsync();

    /// <summary>Activates the grain (replaying its WAL); used by start-up recovery. Returns the number of unflushed entries.</summary>
    [Alias("Recover"), AlwaysInterleave]
    Task<int> RecoverAsync();
}
