using Orleans.Concurrency;

namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// Evaluates sub-queries over a shard of series next to the data: flushed chunks from the object store (only blocks
/// overlapping the range, and admitted by the token filters, are decompressed) and, when asked, the stream grains'
/// in-memory entries; de-duplicates entries seen in both places. Stateless: any silo can run any number of them.
/// </summary>
[Alias("IQuerierGrain")]
public interface IQuerierGrain : IGrainWithIntegerKey
{
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
