namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// One sub-query over a shard of series, evaluated next to the data by a querier grain.
/// </summary>
/// <param name="Tenant">Owner of the series.</param>
/// <param name="Series">The series and their chunks overlapping the range.</param>
/// <param name="FromNs">Inclusive start.</param>
/// <param name="ThroughNs">Exclusive end.</param>
/// <param name="IncludeUnflushed">Also ask the stream grains for their in-memory entries.</param>
/// <param name="Query">
/// Canonical LogQL text: a log selector with its pipeline (log queries) or a range aggregation (metric queries).
/// Parsed once per text and cached by the querier.
/// </param>
/// <param name="Backward">Log queries: newest entries first.</param>
/// <param name="Limit">Log queries: at most this many entries are returned, the first ones in direction.</param>
[GenerateSerializer, Immutable, Alias("SelectRequest")]
public sealed record SelectRequest(
    [property: Id(0)] string Tenant,
    [property: Id(1)] IReadOnlyList<SeriesMatch> Series,
    [property: Id(2)] long FromNs,
    [property: Id(3)] long ThroughNs,
    [property: Id(4)] bool IncludeUnflushed,
    [property: Id(5)] string Query,
    [property: Id(6)] bool Backward,
    [property: Id(7)] int Limit)
{
    /// <summary>
    /// Metric queries: the only labels the result depends on (the engine's parser hints), sorted; parsers then skip the
    /// values of other keys. Null when every label matters.
    /// </summary>
    [Id(8)]
    public string[]? RequiredLabels { get; init; }

    /// <summary>
    /// Metric queries: when set, the answer holds per series one summed value per non-empty window (timestamp = the
    /// window's end) instead of the samples. Null: samples.
    /// </summary>
    [Id(9)]
    public StepWindows? Windows { get; init; }

    /// <summary>The tenant's delete requests overlapping the range: their lines are dropped before the pipeline. Null: none.</summary>
    [Id(10)]
    public IReadOnlyList<DeleteFilterSpec>? Deletes { get; init; }

    /// <summary>
    /// Metric queries: the label names (sorted) each sample's series is reduced to (samples with a pipeline error keep
    /// their full labels, which the query's error names); series that become equal are merged. Null: full label sets.
    /// Set only where the engine groups by exactly these names anyway.
    /// </summary>
    [Id(11)]
    public string[]? Grouping { get; init; }
}

/// <summary>
/// What a stream grain evaluates over its in-memory entries. Entries inside <see cref="RawIntervals"/> (time ranges
/// also covered by flushed chunks, where the same entry may be stored twice) come back unprocessed so that the caller
/// can drop duplicates before the pipeline; every other entry is processed in the grain.
/// </summary>
/// <param name="Query">As <see cref="SelectRequest.Query"/>.</param>
/// <param name="Samples">True for a range aggregation (samples), false for a log selector (entries).</param>
/// <param name="FromNs">Inclusive start.</param>
/// <param name="ThroughNs">Exclusive end.</param>
/// <param name="Backward">Log queries: newest entries first.</param>
/// <param name="Limit">Log queries: entry limit.</param>
/// <param name="RawIntervals">Flattened <c>[from, through)</c> pairs, sorted and disjoint.</param>
[GenerateSerializer, Immutable, Alias("HeadSelect")]
public sealed record HeadSelect(
    [property: Id(0)] string Query,
    [property: Id(1)] bool Samples,
    [property: Id(2)] long FromNs,
    [property: Id(3)] long ThroughNs,
    [property: Id(4)] bool Backward,
    [property: Id(5)] int Limit,
    [property: Id(6)] long[] RawIntervals)
{
    /// <summary>As <see cref="SelectRequest.RequiredLabels"/>.</summary>
    [Id(7)]
    public string[]? RequiredLabels { get; init; }

    /// <summary>As <see cref="SelectRequest.Deletes"/>.</summary>
    [Id(8)]
    public IReadOnlyList<DeleteFilterSpec>? Deletes { get; init; }

    /// <summary>As <see cref="SelectRequest.Grouping"/>.</summary>
    [Id(9)]
    public string[]? Grouping { get; init; }
}

/// <summary>A stream grain's answer to <see cref="HeadSelect"/>.</summary>
/// <param name="Logs">Processed entries (log queries).</param>
/// <param name="Samples">Extracted samples (metric queries).</param>
/// <param name="Raw">Unprocessed entries inside the raw intervals, as an entry batch in timestamp order.</param>
/// <param name="RawCount">Entries in <see cref="Raw"/>.</param>
[GenerateSerializer, Immutable, Alias("HeadPage")]
public sealed record HeadPage(
    [property: Id(0)] LogPage? Logs,
    [property: Id(1)] SamplePage? Samples,
    [property: Id(2)] byte[] Raw,
    [property: Id(3)] int RawCount);
