namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// The label index of one tenant for one UTC day, keyed <c>{tenant}/{day}</c> (day = days since the Unix epoch):
/// series (label sets) with postings per label pair, and the chunks flushed for each series.
/// Every mutation is persisted to the object store before it is acknowledged.
/// </summary>
[Alias("IIndexGrain")]
public interface IIndexGrain : IGrainWithStringKey
{
    /// <summary>Records that a series has data on this day (idempotent).</summary>
    [Alias("RegisterSeries")]
    Task RegisterSeriesAsync(ulong fingerprint, string labels);

    /// <summary>Records that many series have data on this day (idempotent): one persisted change for a push's new streams.</summary>
    [Alias("RegisterSeriesMany")]
    Task RegisterSeriesManyAsync(ulong[] fingerprints, string[] labels);

    /// <summary>Records a flushed chunk of a series (idempotent by chunk key).</summary>
    [Alias("AddChunk")]
    Task AddChunkAsync(ulong fingerprint, string labels, ChunkRef chunk);

    /// <summary>Series matching every matcher, with their chunks overlapping <c>[fromNs, throughNs)</c>.</summary>
    [Alias("Lookup")]
    Task<IReadOnlyList<SeriesMatch>> LookupAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs);

    /// <summary>Label names of series matching the matchers (all series when none).</summary>
    [Alias("LabelNames")]
    Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<MatcherSpec> matchers);

    /// <summary>Values of one label among series matching the matchers.</summary>
    [Alias("LabelValues")]
    Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<MatcherSpec> matchers);

    /// <summary>Series matching the matchers, without chunks (every series with data on this day).</summary>
    [Alias("Series")]
    Task<IReadOnlyList<SeriesMatch>> SeriesAsync(IReadOnlyList<MatcherSpec> matchers);

    /// <summary>Each label name of the matching series with its distinct values.</summary>
    [Alias("LabelValueSets")]
    Task<IReadOnlyList<LabelValueSet>> LabelValueSetsAsync(IReadOnlyList<MatcherSpec> matchers);

    /// <summary>Streams, chunks, entries and bytes of flushed chunks in the part of <c>[fromNs, throughNs)</c> on this day.</summary>
    [Alias("Stats")]
    Task<IndexStats> StatsAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs);

    /// <summary>Bytes of flushed chunks per bucket and aggregated series, for the buckets' part on this day.</summary>
    [Alias("Volume")]
    Task<VolumeResult> VolumeAsync(VolumeRequest request);

    /// <summary>Every series of the day with all its chunks (the compactor's view).</summary>
    [Alias("Snapshot")]
    Task<IReadOnlyList<SeriesMatch>> SnapshotAsync();

    /// <summary>
    /// One atomic change, persisted before it returns (the compactor's commit point): removes the chunks with keys in
    /// <paramref name="removeKeys"/>, adds <paramref name="add"/>, drops series this change left without chunks (and
    /// their postings), and deletes the index file when no series is left. Idempotent. Returns the series removed.
    /// </summary>
    [Alias("ReplaceChunks")]
    Task<int> ReplaceChunksAsync(IReadOnlyList<string> removeKeys, IReadOnlyList<SeriesMatch> add);
}
