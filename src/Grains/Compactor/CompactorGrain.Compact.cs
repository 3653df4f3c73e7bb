using System.IO.Hashing;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Querier;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>
/// Cold compaction (beyond Loki): per stream, chunks no ingester can still write (newest entry older than
/// <c>cold_chunk_age</c>) that are LZ4-coded or small are merged, cut at twice the ingester's target size and
/// recompressed with zstd. New chunks are uploaded, the old keys marked, then the index switched; queries dedupe the
/// entries of old and new chunks wherever both are still named.
/// </summary>
internal sealed partial class CompactorGrain
{
    /// <summary>Raw bytes merged at most per group, so that one run's memory stays bounded.</summary>
    private const long MaxGroupUncompressedBytes = 256L * 1024 * 1024;

    private static readonly Prometheus.Counter s_bytesBefore = Prometheus.Metrics.CreateCounter(
        "loki_compactor_recompressed_bytes_before_total", "Compressed bytes of the cold chunks the compactor replaced.");

    private static readonly Prometheus.Counter s_bytesAfter = Prometheus.Metrics.CreateCounter(
        "loki_compactor_recompressed_bytes_after_total", "Compressed bytes of the chunks that replaced them.");

    private static readonly Prometheus.Counter s_rawBytes = Prometheus.Metrics.CreateCounter(
        "loki_compactor_recompressed_raw_bytes_total", "Uncompressed bytes of the log lines recompressed.");

    private async Task CompactTenantAsync(string tenant, long nowNs, RunCounters result)
    {
        var coldAge = options.ColdChunkAge ?? (ingester.MaxChunkAge + TimeSpan.FromHours(1));
        var coldBefore = nowNs - (coldAge.Ticks * 100);
        var (days, chunks) = await LoadIndexAsync(tenant);
        var target = (long)ingester.ChunkTargetSize * 2;
        var groups = new List<(List<IndexedChunk> Old, List<(ChunkRef Ref, byte[] Bytes)> New)>();
        foreach (var stream in chunks.Values.Where(c => c.Chunk.ThroughNs < coldBefore).GroupBy(c => c.Fingerprint))
        {
            var candidates = new List<(IndexedChunk Chunk, byte Codec)>();
            foreach (var c in stream.OrderBy(c => c.Chunk.FromNs))
            {
                var header = await store.GetRangeAsync(c.Chunk.Key, 0, 8);
                if (header is not { Length: 8 })
                {
                    continue;
                }
                if (header[5] == BlockCodec.Lz4 || c.Chunk.CompressedBytes < target / 4)
                {
                    candidates.Add((c, header[5]));
                }
            }
            if (candidates.Count == 0 || (candidates.Count == 1 && candidates[0].Codec != BlockCodec.Lz4))
            {
                continue;
            }
            var group = new List<IndexedChunk>();
            long raw = 0;
            foreach (var (c, _) in candidates)
            {
                if (group.Count > 0 && raw + c.Chunk.UncompressedBytes > MaxGroupUncompressedBytes)
                {
                    break;
                }
                group.Add(c);
                raw += c.Chunk.UncompressedBytes;
            }
            groups.Add((group, await MergeAsync(tenant, group, target)));
        }
        if (groups.Count == 0)
        {
            return;
        }

        Faults?.Before(CompactorSteps.Upload);
        foreach (var (_, created) in groups)
        {
            foreach (var (newRef, bytes) in created)
            {
                await store.PutAsync(newRef.Key, bytes);
            }
        }
        // A new chunk that happens to equal an old one keeps its key: it is neither marked nor removed.
        var kept = groups.SelectMany(g => g.New.Select(n => n.Ref.Key)).ToHashSet(StringComparer.Ordinal);
        var replaced = groups.SelectMany(g => g.Old).Where(o => !kept.Contains(o.Chunk.Key)).ToList();
        Faults?.Before(CompactorSteps.Mark);
        await WriteMarkerAsync([.. replaced.Select(o => o.Chunk.Key)], nowNs);
        Faults?.Before(CompactorSteps.IndexSwitch);
        foreach (var day in days)
        {
            var remove = replaced.Where(o => o.Days.Contains(day)).Select(o => o.Chunk.Key).ToList();
            if (remove.Count == 0)
            {
                continue;
            }
            var dayStart = Model.TimePartition.DayStartNs(day);
            var dayEnd = dayStart + Model.TimePartition.DayNs;
            var add = new List<SeriesMatch>();
            foreach (var (old, created) in groups)
            {
                if (!old.Exists(o => o.Days.Contains(day)))
                {
                    continue;
                }
                var inDay = created.Select(n => n.Ref).Where(r => r.FromNs < dayEnd && r.ThroughNs > dayStart).ToList();
                if (inDay.Count > 0)
                {
                    add.Add(new SeriesMatch(old[0].Fingerprint, old[0].Labels, inDay));
                }
            }
            await IndexGrain(tenant, day).ReplaceChunksAsync(remove, add);
        }
        foreach (var (old, created) in groups)
        {
            s_bytesBefore.Inc(old.Sum(o => o.Chunk.CompressedBytes));
            s_bytesAfter.Inc(created.Sum(n => n.Ref.CompressedBytes));
            s_rawBytes.Inc(created.Sum(n => n.Ref.UncompressedBytes));
            result.Compacted += old.Count;
            result.CompactedInto += created.Count;
        }
        CompactorMetrics.MarkedChunks.WithLabels("compaction").Inc(replaced.Count);
    }

    /// <summary>The group's entries (exact duplicates dropped) as zstd chunks of about <paramref name="target"/> LZ4 bytes each.</summary>
    private async Task<List<(ChunkRef Ref, byte[] Bytes)>> MergeAsync(string tenant, List<IndexedChunk> group, long target)
    {
        var sources = new List<List<LogEntry>>();
        string labels = group[0].Labels;
        foreach (var c in group)
        {
            if (await store.GetAsync(c.Chunk.Key) is not { } data)
            {
                continue;
            }
            var reader = ChunkReader.Open(data);
            labels = reader.Labels;
            sources.Add([.. reader.Iterate(long.MinValue, long.MaxValue, backward: false)]);
        }
        var merged = QuerierGrain.MergeDistinct(sources);
        var chunkOptions = new ChunkOptions { BlockSize = ingester.ChunkBlockSize, TargetCompressedSize = (int)Math.Min(int.MaxValue, target) };
        var result = new List<(ChunkRef, byte[])>();
        var current = new MemChunk(chunkOptions);
        var (_, streamId) = SplitChunkKey(group[0].Chunk.Key, tenant);
        foreach (var entry in merged)
        {
            current.Append(entry);
            if (current.IsFull)
            {
                result.Add(Seal(current));
                current = new MemChunk(chunkOptions);
            }
        }
        if (current.EntryCount > 0)
        {
            result.Add(Seal(current));
        }
        return result;

        (ChunkRef, byte[]) Seal(MemChunk chunk)
        {
            var bytes = BlockCodec.Recompress(chunk.Encode(labels), options.ColdChunkZstdLevel);
            var from = chunk.MinTimeNs;
            var through = chunk.MaxTimeNs + 1;
            var key = StorageKeys.Chunk(tenant, streamId, from, through, Crc32.HashToUInt32(bytes));
            return (new ChunkRef(key, from, through, chunk.EntryCount, chunk.UncompressedBytes, bytes.Length), bytes);
        }
    }
}
