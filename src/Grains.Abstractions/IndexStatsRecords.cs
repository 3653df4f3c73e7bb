namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// What an index lookup resolves to in a time range (Loki's <c>index/stats</c>): the matching series with data in the
/// range and the chunks, entries and uncompressed bytes of that data. A chunk that only partly overlaps the range
/// counts in proportion to the overlap (its entries are assumed spread evenly over its time span), as Loki's TSDB does.
/// </summary>
[GenerateSerializer, Immutable, Alias("IndexStats")]
public sealed record IndexStats(
    [property: Id(0)] IReadOnlyList<ulong> Fingerprints,
    [property: Id(1)] long Chunks,
    [property: Id(2)] long Bytes,
    [property: Id(3)] long Entries);

/// <summary>
/// A volume lookup (Loki's <c>index/volume</c> and <c>index/volume_range</c>): bytes of matching series per bucket,
/// aggregated into series of the matched (or target) labels, or into label names. Bucket <c>i</c> is
/// <c>[BucketBounds[i], BucketBounds[i+1])</c>; <see cref="IncludeAll"/> is the match-all selector <c>{}</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("VolumeRequest")]
public sealed record VolumeRequest(
    [property: Id(0)] IReadOnlyList<MatcherSpec> Matchers,
    [property: Id(1)] IReadOnlyList<string> LabelsToMatch,
    [property: Id(2)] bool TargetsGiven,
    [property: Id(3)] bool AggregateBySeries,
    [property: Id(4)] bool IncludeAll,
    [property: Id(5)] IReadOnlyList<long> BucketBounds,
    [property: Id(6)] int MaxSeries);

/// <summary>Bytes of one aggregated series (or label name) in consecutive buckets starting at <see cref="FirstBucket"/>.</summary>
[GenerateSerializer, Immutable, Alias("VolumeSeries")]
public sealed record VolumeSeries(
    [property: Id(0)] string Name,
    [property: Id(1)] int FirstBucket,
    [property: Id(2)] long[] Bytes);

/// <summary>A volume lookup's answer; <see cref="MaxSeriesHit"/> when more than the allowed number of series matched.</summary>
[GenerateSerializer, Immutable, Alias("VolumeResult")]
public sealed record VolumeResult(
    [property: Id(0)] IReadOnlyList<VolumeSeries> Series,
    [property: Id(1)] bool MaxSeriesHit);

/// <summary>The distinct values of one label among the series of a lookup.</summary>
[GenerateSerializer, Immutable, Alias("LabelValueSet")]
public sealed record LabelValueSet(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> Values);
