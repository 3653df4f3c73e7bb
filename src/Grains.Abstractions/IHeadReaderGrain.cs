using Orleans.Concurrency;

namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// Reads the in-memory entries of many streams on one silo in one call: keyed by the silo's address
/// (<c>SiloAddress.ToParsableString()</c>) and activated on that silo, it answers for the requested streams that are
/// active there and leaves out the others. Instead of one <see cref="IStreamGrain.SelectHeadAsync"/> call per stream, a
/// querier makes one call per ingester silo and reads only the streams nobody answered for one by one.
/// </summary>
[Alias("IHeadReaderGrain")]
public interface IHeadReaderGrain : IGrainWithStringKey
{
    /// <summary>Evaluates a range aggregation's extraction over the heads of the requested streams active on this silo.</summary>
    [Alias("SelectSamples"), AlwaysInterleave]
    Task<HeadBatchPage> SelectSamplesAsync(HeadBatchSelect select);
}

/// <summary>
/// A head read over many streams of a tenant: per stream its fingerprint and raw intervals, the rest as
/// <see cref="HeadSelect"/> (every stream gets the same query).
/// </summary>
/// <param name="Tenant">Owner of the streams.</param>
/// <param name="Fingerprints">The streams.</param>
/// <param name="RawIntervals">Per stream (same order), as <see cref="HeadSelect.RawIntervals"/>.</param>
/// <param name="Select">The query; its own <see cref="HeadSelect.RawIntervals"/> is not used.</param>
[GenerateSerializer, Immutable, Alias("HeadBatchSelect")]
public sealed record HeadBatchSelect(
    [property: Id(0)] string Tenant,
    [property: Id(1)] ulong[] Fingerprints,
    [property: Id(2)] long[][] RawIntervals,
    [property: Id(3)] HeadSelect Select);

/// <summary>A silo's answer to <see cref="HeadBatchSelect"/>.</summary>
/// <param name="Answered">Indexes (into the request's streams) of the streams active on the silo, ascending.</param>
/// <param name="Samples">Samples extracted from the answered streams' entries outside their raw intervals, merged.</param>
/// <param name="Raw">Per answered stream (same order), its entries inside its raw intervals as an entry batch (empty for none).</param>
/// <param name="RawCount">Entries in each of <see cref="Raw"/>.</param>
[GenerateSerializer, Immutable, Alias("HeadBatchPage")]
public sealed record HeadBatchPage(
    [property: Id(0)] int[] Answered,
    [property: Id(1)] SamplePage? Samples,
    [property: Id(2)] byte[][] Raw,
    [property: Id(3)] int[] RawCount);
