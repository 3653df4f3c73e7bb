using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Index;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Index;

/// <summary>
/// Index-only reads of one tenant: stats, volume and label values from the per-day index grains (flushed chunks), plus,
/// when the range reaches into <c>query_ingesters_within</c>, the in-memory chunks of the matching stream grains
/// (described by span, entries and bytes; nothing is decompressed or sent but those numbers).
/// </summary>
/// <remarks>
/// Lines hidden by the tenant's delete requests are subtracted from entries and bytes (see <see cref="DeletedShare"/>),
/// so stats and volume agree with what queries return.
/// </remarks>
internal sealed class IndexReader(IGrainFactory grains, IngesterOptions ingester, TimeProvider time, GrainDataSource data)
{
    /// <summary>Loki's <c>volume_max_series</c> default: more aggregated series than this fail the volume request.</summary>
    public const int VolumeMaxSeries = 1000;

    public async Task<IndexStats> StatsAsync(string tenant, IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var days = PerDay(fromNs, throughNs, day => Index(tenant, day).StatsAsync(matchers, fromNs, throughNs));
        var memory = InMemoryAsync(tenant, matchers, fromNs, throughNs, ct);
        var hidden = DeletedShare.ComputeAsync(data, tenant, matchers, [fromNs, throughNs], ct);
        await Task.WhenAll(days).WaitAsync(ct).ConfigureAwait(false);
        var streams = new HashSet<ulong>();
        long chunks = 0, bytes = 0, entries = 0;
        foreach (var day in days)
        {
            streams.UnionWith(day.Result.Fingerprints);
            chunks += day.Result.Chunks;
            bytes += day.Result.Bytes;
            entries += day.Result.Entries;
        }
        var acc = new IndexStatsAccumulator();
        foreach (var (series, refs) in await memory.ConfigureAwait(false))
        {
            acc.Add(series.Fingerprint, refs, fromNs, throughNs, fromNs, throughNs);
        }
        var recent = acc.Result();
        streams.UnionWith(recent.Fingerprints);
        var (hiddenEntries, hiddenBytes) = DeletedShare.Totals(await hidden.ConfigureAwait(false));
        return new IndexStats([.. streams], chunks + recent.Chunks, Math.Max(0, bytes + recent.Bytes - hiddenBytes), Math.Max(0, entries + recent.Entries - hiddenEntries));
    }

    /// <summary>Per aggregated name, bytes per bucket of the request's bounds; <c>MaxSeriesHit</c> when over the limit.</summary>
    public async Task<(Dictionary<string, long[]> Volumes, bool MaxSeriesHit)> VolumeAsync(string tenant, VolumeRequest request, CancellationToken ct)
    {
        var fromNs = request.BucketBounds[0];
        var throughNs = request.BucketBounds[^1];
        var buckets = request.BucketBounds.Count - 1;
        var days = PerDay(fromNs, throughNs, day => Index(tenant, day).VolumeAsync(request));
        var memory = InMemoryAsync(tenant, request.Matchers, fromNs, throughNs, ct);
        var hidden = DeletedShare.ComputeAsync(data, tenant, request.Matchers, request.BucketBounds, ct);
        await Task.WhenAll(days).WaitAsync(ct).ConfigureAwait(false);

        var acc = new VolumeAccumulator(request, fromNs, throughNs);
        foreach (var (series, refs) in await memory.ConfigureAwait(false))
        {
            acc.Add(Pairs(series.Labels), refs);
        }
        var merged = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var hit = acc.MaxSeriesHit;
        foreach (var part in days.Select(d => d.Result).Append(acc.Result()))
        {
            hit |= part.MaxSeriesHit;
            foreach (var series in part.Series)
            {
                if (!merged.TryGetValue(series.Name, out var total))
                {
                    total = new long[buckets];
                    merged.Add(series.Name, total);
                }
                for (var i = 0; i < series.Bytes.Length; i++)
                {
                    total[series.FirstBucket + i] += series.Bytes[i];
                }
            }
        }
        DeletedShare.Subtract(merged, await hidden.ConfigureAwait(false), request, fromNs, throughNs);
        return (merged, hit || merged.Count > request.MaxSeries);
    }

    /// <summary>Every label name of the matching series with its distinct values, over the days of the range.</summary>
    public async Task<SortedDictionary<string, SortedSet<string>>> LabelValueSetsAsync(string tenant, IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var days = PerDay(fromNs, throughNs, day => Index(tenant, day).LabelValueSetsAsync(matchers));
        await Task.WhenAll(days).WaitAsync(ct).ConfigureAwait(false);
        var result = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var set in days.SelectMany(d => d.Result))
        {
            if (!result.TryGetValue(set.Name, out var values))
            {
                values = new SortedSet<string>(StringComparer.Ordinal);
                result.Add(set.Name, values);
            }
            values.UnionWith(set.Values);
        }
        return result;
    }

    /// <summary>In-memory chunks of the matching series, asked only when the range reaches the ingester window.</summary>
    private async Task<List<(SeriesMatch Series, IReadOnlyList<ChunkRef> Chunks)>> InMemoryAsync(
        string tenant, IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var windowStart = ingester.IngesterWindowStartNs(LokiTime.NowNs(time));
        if (throughNs <= windowStart)
        {
            return [];
        }
        var days = PerDay(Math.Max(fromNs, windowStart), throughNs, day => Index(tenant, day).SeriesAsync(matchers));
        await Task.WhenAll(days).WaitAsync(ct).ConfigureAwait(false);
        var series = new Dictionary<ulong, SeriesMatch>();
        foreach (var match in days.SelectMany(d => d.Result))
        {
            series.TryAdd(match.Fingerprint, match);
        }
        var calls = series.Values
            .Select(s => (Series: s, Task: GrainRefs.Get<IStreamGrain>(grains, StorageKeys.StreamGrainKey(tenant, s.Fingerprint)).InMemoryChunksAsync(fromNs, throughNs)))
            .ToList();
        await Task.WhenAll(calls.Select(c => c.Task)).WaitAsync(ct).ConfigureAwait(false);
        return [.. calls.Where(c => c.Task.Result.Count > 0).Select(c => (c.Series, c.Task.Result))];
    }

    private IIndexGrain Index(string tenant, int day) => GrainRefs.Get<IIndexGrain>(grains, $"{tenant}/{day}");

    private static List<Task<T>> PerDay<T>(long fromNs, long throughNs, Func<int, Task<T>> call)
    {
        var tasks = new List<Task<T>>();
        for (var day = StorageKeys.DayOf(fromNs); day <= StorageKeys.DayOf(Math.Max(fromNs, throughNs - 1)); day++)
        {
            tasks.Add(call(day));
        }
        return tasks;
    }

    private static KeyValuePair<string, string>[] Pairs(string labels) =>
        LabelSet.TryParse(labels, out var pairs, out var error)
            ? pairs
            : throw new InvalidOperationException($"stored labels '{labels}' do not parse: {error}");
}
