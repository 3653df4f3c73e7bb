using Orleans.Concurrency;

namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// Reads the data of a set of series for a time range: flushed chunks from the object store (only blocks overlapping
/// the range are decompressed) and, when asked, unflushed entries from the stream grains; de-duplicates entries seen
/// in both places. Stateless: any silo can run any number of them.
/// </summary>
[Alias("IQuerierGrain")]
public interface IQuerierGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Entries of the series in <c>[fromNs, throughNs)</c>; with <c>requiredLiterals</c> (literals every wanted line
    /// contains), flushed blocks whose token filter rules one out are skipped.
    /// </summary>
    [Alias("ReadStreams"), AlwaysInterleave]
    Task<IReadOnlyList<StreamData>> ReadStreamsAsync(string tenant, IReadOnlyList<SeriesMatch> series, long fromNs, long throughNs, bool includeUnflushed, IReadOnlyList<string> requiredLiterals);

    /// <summary>
    /// Runs a log selector's pipeline over the series next to the data and returns the first <c>Limit</c> selected
    /// entries in direction (order: timestamp in direction, then labels, then line).
    /// </summary>
    [Alias("SelectLogs"), AlwaysInterleave]
    Task<LogPage> SelectLogsAsync(SelectRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a range aggregation's pipeline and extraction over the series and returns the samples.</summary>
    [Alias("SelectSamples"), AlwaysInterleave]
    Task<SamplePage> SelectSamplesAsync(SelectRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One stream's entries in a time range, ascending by timestamp, encoded as an entry batch.</summary>
[GenerateSerializer, Immutable, Alias("StreamData")]
public sealed record StreamData(
    [property: Id(0)] ulong Fingerprint,
    [property: Id(1)] string Labels,
    [property: Id(2)] byte[] Batch,
    [property: Id(3)] int EntryCount,
    [property: Id(4)] long BytesRead,
    [property: Id(5)] int ChunksRead);
