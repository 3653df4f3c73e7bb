using System.Globalization;
using System.Text;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>
/// The sweeper: markers (<c>compactor/markers/{createdNs:D20}-{id}</c>, one chunk key per line) older than
/// <c>retention_delete_delay</c> have their chunk objects deleted, then the marker itself. A missing object counts as
/// deleted, so a sweep stopped half-way is simply repeated.
/// </summary>
internal sealed partial class CompactorGrain
{
    internal const string MarkerPrefix = "compactor/markers/";

    private async Task SweepAsync(long nowNs, RunCounters result)
    {
        var cutoff = nowNs - (options.RetentionDeleteDelay.Ticks * 100);
        var pending = 0;
        var markers = new List<string>();
        await foreach (var info in store.ListAsync(MarkerPrefix))
        {
            var name = info.Key[MarkerPrefix.Length..];
            var dash = name.IndexOf('-');
            if (dash > 0 && long.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var created) && created <= cutoff)
            {
                markers.Add(info.Key);
            }
            else
            {
                pending++;
            }
        }
        foreach (var marker in markers)
        {
            var data = await store.GetAsync(marker);
            if (data is null)
            {
                continue;
            }
            var keys = Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            _sweptInRun = 0;
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = options.RetentionDeleteWorkerCount }, (key, ct) => DeleteOneAsync(key, ct));
            result.Deleted += _sweptInRun;
            CompactorMetrics.DeletedChunks.Inc(_sweptInRun);
            foreach (var stream in keys.Select(StreamOf).Where(s => s is not null).Distinct())
            {
                await RemoveOrphanLabelsAsync(stream!.Value.Tenant, stream.Value.StreamId);
            }
            await store.DeleteAsync(marker);
        }
        CompactorMetrics.PendingMarkers.Set(pending);
    }

    private async ValueTask DeleteOneAsync(string key, CancellationToken ct)
    {
        if (await store.DeleteAsync(key, ct))
        {
            Interlocked.Increment(ref _sweptInRun);
        }
    }

    private int _sweptInRun;

    private static (string Tenant, string StreamId)? StreamOf(string chunkKey)
    {
        var parts = chunkKey.Split('/');
        return parts.Length == 4 && parts[1] == "chunks" ? (parts[0], parts[2]) : null;
    }

    /// <summary>
    /// A stream's <c>wal/{tenant}/{stream}/labels</c> object once the stream has no chunk object and no WAL segment left
    /// (the filesystem store removes the emptied folders with it).
    /// </summary>
    private async Task RemoveOrphanLabelsAsync(string tenant, string streamId)
    {
        await foreach (var _ in store.ListAsync($"{tenant}/chunks/{streamId}/"))
        {
            return;
        }
        var labels = StorageKeys.WalLabels(tenant, streamId);
        await foreach (var info in store.ListAsync(StorageKeys.WalStreamPrefix(tenant, streamId)))
        {
            if (info.Key != labels)
            {
                return;
            }
        }
        await store.DeleteAsync(labels);
    }
}
