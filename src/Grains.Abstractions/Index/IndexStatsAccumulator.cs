using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Sums what chunks contribute to <c>index/stats</c> for a range. A caller that covers the range in slices (one index
/// grain per day) passes its slice, so that a chunk spanning two slices has its entries and bytes split between them
/// and is counted as a chunk only in the slice where its overlap with the range begins.
/// </summary>
public sealed class IndexStatsAccumulator
{
    private readonly HashSet<ulong> _streams = [];
    private long _chunks;
    private long _bytes;
    private long _entries;

    /// <summary>Adds the chunks of one series for the query range <c>[fromNs, throughNs)</c> within the slice.</summary>
    public void Add(ulong fingerprint, IEnumerable<ChunkRef> chunks, long fromNs, long throughNs, long sliceFromNs, long sliceThroughNs)
    {
        var lo = Math.Max(fromNs, sliceFromNs);
        var hi = Math.Min(throughNs, sliceThroughNs);
        foreach (var chunk in chunks)
        {
            var fraction = ChunkShare.Fraction(chunk, lo, hi);
            if (fraction <= 0)
            {
                continue;
            }
            _streams.Add(fingerprint);
            _entries += ChunkShare.Entries(chunk, fraction);
            _bytes += ChunkShare.Bytes(chunk, fraction);
            if (Math.Max(chunk.FromNs, fromNs) >= sliceFromNs)
            {
                _chunks++;
            }
        }
    }

    public IndexStats Result() => new([.. _streams], _chunks, _bytes, _entries);
}
