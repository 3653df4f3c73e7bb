using System.IO.Hashing;
using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>Retention and delete requests of one tenant: plan per chunk, upload, mark, switch the index.</summary>
internal sealed partial class CompactorGrain
{
    /// <summary>Loki waits one more minute after the cancel period before a request is applied.</summary>
    private static readonly long s_deleteGraceNs = TimeSpan.FromMinutes(1).Ticks * 100;

    private sealed record IndexedChunk(ulong Fingerprint, string Labels, KeyValuePair<string, string>[] Pairs, ChunkRef Chunk, List<int> Days);

    private async Task ApplyTenantAsync(string tenant, long nowNs, RunCounters result)
    {
        var limits = Limits.Compactor(tenant);
        var (days, chunks) = await LoadIndexAsync(tenant);

        var shards = await EligibleShardsAsync(tenant, limits, nowNs);
        var filters = shards.Select(s => new DeleteFilterSpec(s.Request.Query, s.StartNs, s.EndNs)).ToList();
        var drop = new List<IndexedChunk>();
        var rewrites = new List<(IndexedChunk Old, ChunkRef New, byte[] Bytes)>();
        foreach (var indexed in chunks.Values)
        {
            var period = limits.PeriodFor(indexed.Pairs);
            if (period > TimeSpan.Zero && nowNs - indexed.Chunk.ThroughNs > period.Ticks * 100)
            {
                drop.Add(indexed);
                CompactorMetrics.MarkedChunks.WithLabels("retention").Inc();
                continue;
            }
            if (filters.Count == 0)
            {
                continue;
            }
            var action = await PlanDeleteAsync(tenant, indexed, filters);
            if (action.Drop)
            {
                drop.Add(indexed);
                CompactorMetrics.MarkedChunks.WithLabels("delete").Inc();
            }
            else if (action.Rewrite is { } rewrite)
            {
                rewrites.Add((indexed, rewrite.Ref, rewrite.Bytes));
                CompactorMetrics.DeletedLines.WithLabels(tenant).Inc(action.LinesDeleted);
            }
        }
        var orphans = await OrphansAsync(tenant, limits, chunks, nowNs);

        if (drop.Count > 0 || rewrites.Count > 0 || orphans.Count > 0)
        {
            Faults?.Before(CompactorSteps.Upload);
            foreach (var (_, newRef, bytes) in rewrites)
            {
                await store.PutAsync(newRef.Key, bytes);
            }
            Faults?.Before(CompactorSteps.Mark);
            await WriteMarkerAsync([.. drop.Select(d => d.Chunk.Key), .. rewrites.Select(r => r.Old.Chunk.Key), .. orphans], nowNs);
            Faults?.Before(CompactorSteps.IndexSwitch);
            foreach (var day in days)
            {
                var remove = drop.Where(d => d.Days.Contains(day)).Select(d => d.Chunk.Key)
                    .Concat(rewrites.Where(r => r.Old.Days.Contains(day)).Select(r => r.Old.Chunk.Key)).ToList();
                if (remove.Count == 0)
                {
                    continue;
                }
                var dayStart = Model.TimePartition.DayStartNs(day);
                var dayEnd = dayStart + Model.TimePartition.DayNs;
                var add = rewrites.Where(r => r.Old.Days.Contains(day) && r.New.FromNs < dayEnd && r.New.ThroughNs > dayStart)
                    .Select(r => new SeriesMatch(r.Old.Fingerprint, r.Old.Labels, [r.New])).ToList();
                result.SeriesRemoved += await IndexGrain(tenant, day).ReplaceChunksAsync(remove, add);
                if (!await IndexExistsAsync(tenant, day))
                {
                    result.IndexFilesRemoved++;
                    CompactorMetrics.RemovedIndexFiles.Inc();
                }
            }
            result.Marked += drop.Count + rewrites.Count + orphans.Count;
            result.Rewritten += rewrites.Count;
            result.Orphans += orphans.Count;
            CompactorMetrics.RemovedSeries.Inc(result.SeriesRemoved);
            LogTenantApplied(logger, tenant, drop.Count, rewrites.Count, result.SeriesRemoved);
        }

        if (shards.Count > 0)
        {
            Faults?.Before(CompactorSteps.MarkProcessed);
            var grain = GrainRefs.Get<IDeleteRequestsGrain>(GrainFactory, tenant);
            foreach (var group in shards.GroupBy(s => s.Request.RequestId))
            {
                // The shards of a request are taken in start order, so they extend its processed prefix.
                var request = group.First().Request;
                var processed = request.ProcessedShards + group.Count();
                await grain.MarkProcessedAsync(request.RequestId, processed);
                result.DeleteShards += group.Count();
                if (processed >= request.Shards)
                {
                    CompactorMetrics.DeleteRequestsProcessed.WithLabels(tenant).Inc();
                }
            }
        }
    }

    /// <summary>The tenant's index days and every chunk they name, with the days naming it.</summary>
    private async Task<(List<int> Days, Dictionary<string, IndexedChunk> Chunks)> LoadIndexAsync(string tenant)
    {
        var days = new List<int>();
        await foreach (var info in store.ListAsync($"{tenant}/index/"))
        {
            var parts = info.Key.Split('/');
            if (parts.Length == 4 && parts[3] == "0" && int.TryParse(parts[2], out var day))
            {
                days.Add(day);
            }
        }
        var chunks = new Dictionary<string, IndexedChunk>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            foreach (var series in await IndexGrain(tenant, day).SnapshotAsync())
            {
                var pairs = LabelSet.TryParse(series.Labels, out var p, out _) ? p : [];
                foreach (var chunk in series.Chunks)
                {
                    if (!chunks.TryGetValue(chunk.Key, out var indexed))
                    {
                        indexed = new IndexedChunk(series.Fingerprint, series.Labels, pairs, chunk, []);
                        chunks.Add(chunk.Key, indexed);
                    }
                    indexed.Days.Add(day);
                }
            }
        }

        return (days, chunks);
    }

    private IIndexGrain IndexGrain(string tenant, int day) => GrainRefs.Get<IIndexGrain>(GrainFactory, $"{tenant}/{day}");

    private async Task<bool> IndexExistsAsync(string tenant, int day) => await store.GetRangeAsync(StorageKeys.IndexFile(tenant, day), 0, 1) is not null;

    private readonly record struct DeleteShard(DeleteRequest Request, int Shard, long StartNs, long EndNs);

    /// <summary>
    /// Unprocessed shards of the requests past their cancel period (plus Loki's minute), by start time, at most
    /// <c>delete_batch_size</c> per run (Loki stores each shard as a request of its own and batches those): a request
    /// with more shards than that is applied over several runs and reports <c>N% Complete</c> in between.
    /// </summary>
    private async Task<List<DeleteShard>> EligibleShardsAsync(string tenant, CompactorLimits limits, long nowNs)
    {
        if (limits.DeletionMode != CompactorLimits.FilterAndDelete)
        {
            return [];
        }
        var all = await GrainRefs.Get<IDeleteRequestsGrain>(GrainFactory, tenant).ListAsync();
        foreach (var group in all.GroupBy(r => r.Status.EndsWith("Complete", StringComparison.Ordinal) ? "processing" : r.Status))
        {
            CompactorMetrics.DeleteRequests.WithLabels(group.Key).Set(group.Count());
        }
        var cancelNs = options.DeleteRequestCancelPeriod.Ticks * 100;
        return [.. all.Where(r => r.Status != "processed" && r.CreatedNs + cancelNs + s_deleteGraceNs <= nowNs)
            .SelectMany(r => Enumerable.Range(r.ProcessedShards, r.Shards - r.ProcessedShards).Select(shard =>
            {
                var (start, end) = r.ShardRange(shard);
                return new DeleteShard(r, shard, start, end);
            }))
            .OrderBy(s => s.StartNs).ThenBy(s => s.Shard).Take(options.DeleteBatchSize)];
    }

    private readonly record struct DeleteAction(bool Drop, (ChunkRef Ref, byte[] Bytes)? Rewrite, long LinesDeleted);

    /// <summary>
    /// What the delete requests do to one chunk: nothing, drop it whole (a filterless request covering it, or every line
    /// deleted), or rewrite it without the deleted lines.
    /// </summary>
    private async Task<DeleteAction> PlanDeleteAsync(string tenant, IndexedChunk indexed, List<DeleteFilterSpec> filters)
    {
        var chunk = indexed.Chunk;
        var lastNs = chunk.ThroughNs - 1;
        var applying = new List<DeleteFilterSpec>();
        foreach (var f in filters)
        {
            if (f.EndNs < chunk.FromNs || f.StartNs > lastNs)
            {
                continue;
            }
            var selector = DeleteFilter.Parse(f.Query);
            if (!CompactorLimits.Matches(selector.Matchers, indexed.Pairs))
            {
                continue;
            }
            if (!selector.HasFilter && selector.Stages.Count == 0 && f.StartNs <= chunk.FromNs && f.EndNs >= lastNs)
            {
                return new DeleteAction(true, null, chunk.Entries);
            }
            applying.Add(f);
        }
        if (applying.Count == 0)
        {
            return default;
        }
        var data = await store.GetAsync(chunk.Key);
        if (data is null)
        {
            // Already gone (a sweep after an earlier, interrupted run): only the index entry is left to remove.
            return new DeleteAction(true, null, 0);
        }
        var reader = ChunkReader.Open(data);
        var filter = DeleteFilter.ForStream(applying, indexed.Pairs)!;
        var kept = new MemChunk(new ChunkOptions());
        long deleted = 0;
        foreach (var entry in reader.Iterate(long.MinValue, long.MaxValue, backward: false))
        {
            if (filter.Deletes(entry.TimestampNs, entry.Line.Span, entry.Metadata))
            {
                deleted++;
                continue;
            }
            kept.Append(entry);
        }
        if (deleted == 0)
        {
            return default;
        }
        if (kept.EntryCount == 0)
        {
            return new DeleteAction(true, null, deleted);
        }
        var bytes = kept.Encode(reader.Labels);
        var (tenantPart, streamId) = SplitChunkKey(chunk.Key, tenant);
        var from = kept.MinTimeNs;
        var through = kept.MaxTimeNs + 1;
        var key = StorageKeys.Chunk(tenantPart, streamId, from, through, Crc32.HashToUInt32(bytes));
        return new DeleteAction(false, (new ChunkRef(key, from, through, kept.EntryCount, kept.UncompressedBytes, bytes.Length), bytes), deleted);
    }

    private static (string Tenant, string StreamId) SplitChunkKey(string key, string tenant)
    {
        // {tenant}/chunks/{streamId}/{from}-{through}-{crc}
        var parts = key.Split('/');
        return parts.Length == 4 ? (parts[0], parts[2]) : (tenant, "unknown");
    }

    /// <summary>
    /// Chunk objects no index refers to whose data retention would have expired anyway (left behind by a run stopped
    /// between the marker and the index switch of an earlier version, or by lost index files).
    /// </summary>
    private async Task<List<string>> OrphansAsync(string tenant, CompactorLimits limits, Dictionary<string, IndexedChunk> indexed, long nowNs)
    {
        var result = new List<string>();
        if (limits.RetentionPeriod <= TimeSpan.Zero)
        {
            return result;
        }
        var cutoff = nowNs - (limits.RetentionPeriod.Ticks * 100);
        var marked = await MarkedKeysAsync();
        await foreach (var info in store.ListAsync($"{tenant}/chunks/"))
        {
            if (indexed.ContainsKey(info.Key) || marked.Contains(info.Key))
            {
                continue;
            }
            var name = info.Key[(info.Key.LastIndexOf('/') + 1)..].Split('-');
            if (name.Length == 3 && long.TryParse(name[1], System.Globalization.NumberStyles.HexNumber, null, out var through) && through < cutoff)
            {
                result.Add(info.Key);
            }
        }
        return result;
    }

    /// <summary>Chunk keys in markers not yet swept.</summary>
    private async Task<HashSet<string>> MarkedKeysAsync()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(MarkerPrefix))
        {
            if (await store.GetAsync(info.Key) is { } data)
            {
                keys.UnionWith(Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }
        return keys;
    }

    private Task WriteMarkerAsync(IReadOnlyCollection<string> keys, long nowNs) => keys.Count == 0
        ? Task.CompletedTask
        : store.PutAsync($"{MarkerPrefix}{nowNs:D20}-{Guid.NewGuid():N}", Encoding.UTF8.GetBytes(string.Join('\n', keys))).AsTask();
}
