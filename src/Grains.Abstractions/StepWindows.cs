namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// Evaluation windows of a range aggregation whose per-window value is additive (a count or a sum of integral values):
/// window <c>i</c> is <c>(FirstEndNs + i·StepNs - RangeNs, FirstEndNs + i·StepNs]</c>. Given them, a querier returns per
/// output series one value per non-empty window instead of every sample, and the caller adds the values of all shards.
/// </summary>
/// <param name="FirstEndNs">End of the first window (the first step minus the offset).</param>
/// <param name="StepNs">Distance between window ends (positive).</param>
/// <param name="Count">Number of windows.</param>
/// <param name="RangeNs">Window length.</param>
[GenerateSerializer, Immutable, Alias("StepWindows")]
public sealed record StepWindows(
    [property: Id(0)] long FirstEndNs,
    [property: Id(1)] long StepNs,
    [property: Id(2)] int Count,
    [property: Id(3)] long RangeNs);
