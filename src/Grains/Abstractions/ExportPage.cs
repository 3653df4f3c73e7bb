namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// Every selected entry of an export sub-query (at most <c>Limit</c>, the first ones in direction; order: timestamp in
/// direction, then labels, then line), with the lines as UTF-8 bytes in one buffer rather than one string each.
/// Entries refer to a table of their label sets.
/// </summary>
/// <param name="Labels">Per label set: its labels text after the pipeline (the order's tie-breaker).</param>
/// <param name="StreamLabels">Per label set: stream labels, flattened <c>name, value, …</c>.</param>
/// <param name="StructuredMetadata">Per label set: structured metadata, flattened; null when none.</param>
/// <param name="Parsed">Per label set: parsed labels, flattened; null when none.</param>
/// <param name="Timestamps">Per entry, in order.</param>
/// <param name="LabelIds">Per entry: its label set.</param>
/// <param name="Offsets">Per entry: where its line starts in <paramref name="Data"/>.</param>
/// <param name="Lengths">Per entry: the line's length in bytes.</param>
/// <param name="Data">The lines.</param>
/// <param name="Stats">What was read.</param>
[GenerateSerializer, Immutable, Alias("ExportPage")]
public sealed record ExportPage(
    [property: Id(0)] string[] Labels,
    [property: Id(1)] string[][] StreamLabels,
    [property: Id(2)] string[]?[] StructuredMetadata,
    [property: Id(3)] string[]?[] Parsed,
    [property: Id(4)] long[] Timestamps,
    [property: Id(5)] int[] LabelIds,
    [property: Id(6)] int[] Offsets,
    [property: Id(7)] int[] Lengths,
    [property: Id(8)] byte[] Data,
    [property: Id(9)] ReadStats Stats)
{
    public int Count => Timestamps.Length;
}
