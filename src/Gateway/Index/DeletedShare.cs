using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Compactor;
using Orleans.Loki.Grains.Index;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Index;

/// <summary>
/// What the tenant's delete requests hide from index reads: per affected stream and bucket, the entries and bytes of
/// its deleted lines. Only streams a request selects are read, only over the requests' ranges, twice (with and without
/// the requests; the difference is what they hide); without requests nothing is read.
/// </summary>
internal static class DeletedShare
{
    /// <summary>Hidden entries and bytes of one stream, per bucket of the bounds.</summary>
    public sealed record Stream(KeyValuePair<string, string>[] Labels, long[] Entries, long[] Bytes);

    public static async Task<List<Stream>> ComputeAsync(GrainDataSource data, string tenant, IReadOnlyList<MatcherSpec> matchers, IReadOnlyList<long> bounds, CancellationToken ct)
    {
        var fromNs = bounds[0];
        var throughNs = bounds[^1];
        if (await data.DeletesAsync(tenant, fromNs, throughNs).ConfigureAwait(false) is not { } deletes)
        {
            return [];
        }
        var lo = Math.Max(fromNs, deletes.Min(d => d.StartNs));
        var hi = Math.Min(throughNs, deletes.Max(d => d.EndNs) == long.MaxValue ? long.MaxValue : deletes.Max(d => d.EndNs) + 1);
        var series = new List<SeriesMatch>();
        var streamPairs = new List<KeyValuePair<string, string>[]>();
        foreach (var match in await data.LookupAsync(tenant, matchers, lo, hi, ct).ConfigureAwait(false))
        {
            if (LabelSet.TryParse(match.Labels, out var pairs, out _) && DeleteFilter.ForStream(deletes, pairs, lo, hi) is not null)
            {
                series.Add(match);
                streamPairs.Add(pairs);
            }
        }
        if (series.Count == 0)
        {
            return [];
        }
        // One sample per line (its length). The querier reads the given series; the selector only carries the (empty)
        // pipeline. A sample's labels are the stream's plus the line's structured metadata, which the index counts too.
        const string query = "bytes_over_time({__deleted__=\"1\"}[1s])";
        var all = data.SelectSamplesAsync(tenant, series, lo, hi, query, hideDeleted: false, ct);
        var kept = data.SelectSamplesAsync(tenant, series, lo, hi, query, hideDeleted: true, ct);
        var buckets = bounds.Count - 1;
        var streams = new Dictionary<int, Stream>();
        void Add(SamplePage[] pages, int sign)
        {
            foreach (var s in pages.SelectMany(p => p.Series))
            {
                if (!LabelSet.TryParse(s.Labels, out var output, out _) || StreamOf(output) is not { } index)
                {
                    continue;
                }
                if (!streams.TryGetValue(index, out var stream))
                {
                    stream = new Stream(streamPairs[index], new long[buckets], new long[buckets]);
                    streams.Add(index, stream);
                }
                long metadataBytes = 0;
                foreach (var (name, value) in output)
                {
                    if (!streamPairs[index].Contains(new KeyValuePair<string, string>(name, value)))
                    {
                        metadataBytes += System.Text.Encoding.UTF8.GetByteCount(name) + System.Text.Encoding.UTF8.GetByteCount(value);
                    }
                }
                for (var i = 0; i < s.Timestamps.Length; i++)
                {
                    var b = BucketOf(bounds, s.Timestamps[i]);
                    if (b >= 0)
                    {
                        stream.Entries[b] += sign;
                        stream.Bytes[b] += sign * ((long)s.Values[i] + metadataBytes);
                    }
                }
            }
        }
        // The stream with the most labels that the sample's labels contain (the affected streams are few).
        int? StreamOf(KeyValuePair<string, string>[] output)
        {
            int? best = null;
            for (var i = 0; i < streamPairs.Count; i++)
            {
                if ((best is null || streamPairs[i].Length > streamPairs[best.Value].Length) && streamPairs[i].All(output.Contains))
                {
                    best = i;
                }
            }
            return best;
        }
        Add(await all.ConfigureAwait(false), 1);
        Add(await kept.ConfigureAwait(false), -1);
        return [.. streams.Values];
    }

    /// <summary>Hidden entries and bytes over every stream and bucket.</summary>
    public static (long Entries, long Bytes) Totals(List<Stream> hidden) =>
        (hidden.Sum(s => s.Entries.Sum()), hidden.Sum(s => s.Bytes.Sum()));

    /// <summary>Subtracts the hidden bytes from volumes aggregated as the index aggregates them.</summary>
    public static void Subtract(Dictionary<string, long[]> volumes, List<Stream> hidden, VolumeRequest request, long fromNs, long throughNs)
    {
        if (hidden.Count == 0)
        {
            return;
        }
        var bounds = request.BucketBounds;
        var acc = new VolumeAccumulator(request with { MaxSeries = int.MaxValue }, fromNs, throughNs);
        foreach (var stream in hidden)
        {
            var chunks = new List<ChunkRef>();
            for (var b = 0; b < stream.Bytes.Length; b++)
            {
                if (stream.Bytes[b] != 0)
                {
                    // A chunk exactly as long as the bucket: the accumulator puts all of it in that bucket.
                    chunks.Add(new ChunkRef("", bounds[b], bounds[b + 1], (int)stream.Entries[b], stream.Bytes[b], 0));
                }
            }
            acc.Add(stream.Labels, chunks);
        }
        var affected = acc.Result().Series;
        foreach (var series in affected)
        {
            if (!volumes.TryGetValue(series.Name, out var total))
            {
                continue;
            }
            for (var i = 0; i < series.Bytes.Length; i++)
            {
                total[series.FirstBucket + i] = Math.Max(0, total[series.FirstBucket + i] - series.Bytes[i]);
            }
        }
        // A series whose every byte was deleted is gone, as it is from queries.
        foreach (var series in affected)
        {
            if (volumes.TryGetValue(series.Name, out var total) && total.All(b => b == 0))
            {
                volumes.Remove(series.Name);
            }
        }
    }

    private static int BucketOf(IReadOnlyList<long> bounds, long ts)
    {
        if (ts < bounds[0] || ts >= bounds[^1])
        {
            return -1;
        }
        int lo = 0, hi = bounds.Count - 2;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (bounds[mid] <= ts)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
