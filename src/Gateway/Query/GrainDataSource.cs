using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// Resolves series through the per-day index grains and reads their data through querier grains, in parallel shards.
/// </summary>
public sealed class GrainDataSource(IGrainFactory grains, IngesterOptions ingester, TimeProvider time)
{
    /// <summary>
    /// Series per querier call: large enough to amortise the call. A querier scans the series of its shard in
    /// parallel on the thread pool, so a smaller shard would not add parallelism, only calls and (for log queries)
    /// pages of up to <c>limit</c> entries each.
    /// </summary>
    private const int SeriesPerShard = 64;

    /// <summary>Series matching the matchers with data in <c>[fromNs, throughNs)</c>, with their chunks.</summary>
    public async Task<List<SeriesMatch>> LookupAsync(string tenant, IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var tasks = PerDay(fromNs, throughNs, day => GrainRefs.Get<IIndexGrain>(grains, $"{tenant}/{day}").LookupAsync(matchers, fromNs, throughNs));
        await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);

        if (tasks.Count == 1)
        {
            // One day: nothing to merge across days (a series appears once); only the chunk order is made the same.
            var single = new List<SeriesMatch>(tasks[0].Result.Count);
            foreach (var match in tasks[0].Result)
            {
                single.Add(match.Chunks.Count <= 1 ? match : match with { Chunks = [.. match.Chunks.DistinctBy(c => c.Key, StringComparer.Ordinal).OrderBy(c => c.FromNs)] });
            }
            single.Sort(static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
            return single;
        }

        var merged = new Dictionary<ulong, (string Labels, Dictionary<string, ChunkRef> Chunks)>();
        foreach (var task in tasks)
        {
            foreach (var match in task.Result)
            {
                if (!merged.TryGetValue(match.Fingerprint, out var entry))
                {
                    entry = (match.Labels, new Dictionary<string, ChunkRef>(StringComparer.Ordinal));
                    merged.Add(match.Fingerprint, entry);
                }
                foreach (var chunk in match.Chunks)
                {
                    entry.Chunks.TryAdd(chunk.Key, chunk);
                }
            }
        }
        var result = new List<SeriesMatch>(merged.Count);
        foreach (var (fp, (labels, chunks)) in merged)
        {
            result.Add(new SeriesMatch(fp, labels, [.. chunks.Values.OrderBy(c => c.FromNs)]));
        }
        result.Sort(static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        return result;
    }

    /// <summary>Runs a log sub-query next to the data, one querier call per shard of series; returns the pages of every shard.</summary>
    public Task<LogPage[]> SelectLogsAsync(string tenant, List<SeriesMatch> series, long fromNs, long throughNs, string query, bool backward, int limit, CancellationToken ct) =>
        Shards(tenant, series, new SelectRequest(tenant, [], fromNs, throughNs, false, query, backward, limit), static (q, r, ct) => q.SelectLogsAsync(r, ct), ct);

    /// <summary>An export sub-query next to the data, one querier call per shard of series: each shard's first <paramref name="limit"/> entries.</summary>
    public Task<ExportPage[]> ExportLogsAsync(string tenant, List<SeriesMatch> series, long fromNs, long throughNs, string query, bool backward, int limit, CancellationToken ct) =>
        Shards(tenant, series, new SelectRequest(tenant, [], fromNs, throughNs, false, query, backward, limit), static (q, r, ct) => q.ExportLogsAsync(r, ct), ct);

    /// <summary>
    /// Runs a range aggregation's extraction next to the data, one querier call per shard of series;
    /// <paramref name="requiredLabels"/> are the engine's parser hints (null: every label matters).
    /// </summary>
    public Task<SamplePage[]> SelectSamplesAsync(string tenant, List<SeriesMatch> series, long fromNs, long throughNs, string query, string[]? requiredLabels, CancellationToken ct) =>
        SelectSamplesAsync(tenant, series, fromNs, throughNs, query, requiredLabels, null, ct);

    /// <summary>
    /// As above; with <paramref name="windows"/>, each page holds summed values per window instead of samples, and with
    /// <paramref name="grouping"/> its series carry only those labels (see <see cref="SelectRequest.Grouping"/>).
    /// </summary>
    public Task<SamplePage[]> SelectSamplesAsync(string tenant, List<SeriesMatch> series, long fromNs, long throughNs, string query, string[]? requiredLabels, StepWindows? windows,
        CancellationToken ct, string[]? grouping = null) =>
        Shards(tenant, series, new SelectRequest(tenant, [], fromNs, throughNs, false, query, false, 0) { RequiredLabels = requiredLabels, Windows = windows, Grouping = grouping },
            static (q, r, ct) => q.SelectSamplesAsync(r, ct), ct);

    /// <summary>
    /// As above, without windows; <paramref name="hideDeleted"/> false reads the lines of the tenant's delete requests too
    /// (index reads subtract what the requests hide).
    /// </summary>
    public Task<SamplePage[]> SelectSamplesAsync(string tenant, List<SeriesMatch> series, long fromNs, long throughNs, string query, bool hideDeleted, CancellationToken ct) =>
        Shards(tenant, series, new SelectRequest(tenant, [], fromNs, throughNs, false, query, false, 0), static (q, r, ct) => q.SelectSamplesAsync(r, ct), ct, hideDeleted);

    /// <summary>Series per querier call for <paramref name="count"/> series.</summary>
    public static int ShardCount(int count) => (count + SeriesPerShard - 1) / SeriesPerShard;

    private async Task<T[]> Shards<T>(string tenant, List<SeriesMatch> series, SelectRequest template,
        Func<IQuerierGrain, SelectRequest, CancellationToken, Task<T>> call, CancellationToken ct, bool hideDeleted = true)
    {
        if (series.Count == 0)
        {
            return [];
        }
        var includeUnflushed = template.ThroughNs > ingester.IngesterWindowStartNs(LokiTime.NowNs(time));
        var deletes = hideDeleted ? await DeletesAsync(tenant, template.FromNs, template.ThroughNs).ConfigureAwait(false) : null;
        var shards = new List<Task<T>>();
        for (var i = 0; i < series.Count; i += SeriesPerShard)
        {
            var shard = series.GetRange(i, Math.Min(SeriesPerShard, series.Count - i));
            var request = template with { Series = shard, IncludeUnflushed = includeUnflushed, Deletes = deletes };
            shards.Add(call(GrainRefs.Get<IQuerierGrain>(grains, 0), request, ct));
        }
        return await Task.WhenAll(shards).ConfigureAwait(false);
    }

    /// <summary>
    /// The tenant's delete requests overlapping <c>[fromNs, throughNs)</c>, read on every query (no cache: a request is
    /// hidden from the first query after its 204). Null when there are none.
    /// </summary>
    public async Task<IReadOnlyList<DeleteFilterSpec>?> DeletesAsync(string tenant, long fromNs, long throughNs)
    {
        var all = await GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant).FiltersAsync().ConfigureAwait(false);
        if (all.Count == 0)
        {
            return null;
        }
        var overlapping = all.Where(d => d.StartNs < throughNs && d.EndNs >= fromNs).ToList();
        return overlapping.Count == 0 ? null : overlapping;
    }

    public async Task<IReadOnlyList<string>> LabelNamesAsync(string tenant, IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var tasks = PerDay(fromNs, throughNs, day => GrainRefs.Get<IIndexGrain>(grains, $"{tenant}/{day}").LabelNamesAsync(matchers));
        await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);
        return [.. tasks.SelectMany(t => t.Result).Distinct().Order(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs, CancellationToken ct)
    {
        var tasks = PerDay(fromNs, throughNs, day => GrainRefs.Get<IIndexGrain>(grains, $"{tenant}/{day}").LabelValuesAsync(name, matchers));
        await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);
        return [.. tasks.SelectMany(t => t.Result).Distinct().Order(StringComparer.Ordinal)];
    }

    private static List<Task<T>> PerDay<T>(long fromNs, long throughNs, Func<int, Task<T>> call)
    {
        var tasks = new List<Task<T>>();
        for (var day = StorageKeys.DayOf(fromNs); day <= StorageKeys.DayOf(Math.Max(fromNs, throughNs - 1)); day++)
        {
            tasks.Add(call(day));
        }
        return tasks;
    }
}
