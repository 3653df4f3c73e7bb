using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// The part of a chunk that falls in a time range. The index knows a chunk's span, entries and bytes but not where in
/// the span they lie, so they are assumed spread evenly (Loki's TSDB makes the same estimate for index stats).
/// </summary>
public static class ChunkShare
{
    /// <summary>Fraction (0..1) of the chunk's span <c>[FromNs, ThroughNs)</c> inside <c>[fromNs, throughNs)</c>.</summary>
    public static double Fraction(ChunkRef chunk, long fromNs, long throughNs)
    {
        var lo = Math.Max(chunk.FromNs, fromNs);
        var hi = Math.Min(chunk.ThroughNs, throughNs);
        if (hi <= lo)
        {
            return 0;
        }
        var span = chunk.ThroughNs - chunk.FromNs;
        return span <= 0 || (lo == chunk.FromNs && hi == chunk.ThroughNs) ? 1 : (double)(hi - lo) / span;
    }

    /// <summary>Entries of the chunk inside the range; at least 1 when the ranges overlap at all.</summary>
    public static long Entries(ChunkRef chunk, double fraction) =>
        fraction <= 0 ? 0 : Math.Max(1, (long)Math.Round(chunk.Entries * fraction));

    /// <summary>Uncompressed bytes of the chunk inside the range.</summary>
    public static long Bytes(ChunkRef chunk, double fraction) =>
        fraction <= 0 ? 0 : (long)Math.Round(chunk.UncompressedBytes * fraction);
}
