using Orleans.Concurrency;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Index of one tenant-day. Mutations are applied in memory and then persisted as a whole index file; concurrent
/// mutations share one write (group commit), and each caller is acknowledged only once a write containing its change
/// has completed.
/// </summary>
/// <remarks>
/// Reentrant because callers must be able to wait together for one persist; every method changes or reads the in-memory
/// index synchronously (before its first await), so interleaving never observes a half-applied change.
/// </remarks>
[Placement.RolePlacement(Placement.LokiModules.IndexGateway)]
[Reentrant]
internal sealed partial class IndexGrain(IObjectStore store) : Grain, IIndexGrain
{
    private SeriesIndex _index = new();
    private string _key = "";
    private long _dayStartNs;
    private long _version;
    private long _persistedVersion;
    private Task? _persisting;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (tenant, dayText) = StorageKeys.SplitKey(this.GetPrimaryKeyString());
        var day = int.Parse(dayText, System.Globalization.CultureInfo.InvariantCulture);
        _key = StorageKeys.IndexFile(tenant, day);
        _dayStartNs = Model.TimePartition.DayStartNs(day);
        var data = await store.GetAsync(_key, cancellationToken);
        if (data is not null)
        {
            _index = IndexFile.Read(data, _key);
        }
    }

    Task IIndexGrain.RegisterSeriesAsync(ulong fingerprint, string labels) =>
        _index.AddSeries(fingerprint, labels) ? PersistAsync() : Task.CompletedTask;

    Task IIndexGrain.AddChunkAsync(ulong fingerprint, string labels, ChunkRef chunk) =>
        _index.AddChunk(fingerprint, labels, chunk) ? PersistAsync() : Task.CompletedTask;

    Task<IReadOnlyList<SeriesMatch>> IIndexGrain.LookupAsync(IReadOnlyList<MatcherSpec> matchers, long fromNs, long throughNs)
    {
        var result = new List<SeriesMatch>();
        foreach (var series in _index.Match(MatcherCompiler.Compile(matchers)))
        {
            // Most series of a high-cardinality lookup have no flushed chunk yet: no list for them.
            List<ChunkRef>? chunks = null;
            foreach (var c in series.Chunks)
            {
                if (c.FromNs < throughNs && c.ThroughNs > fromNs)
                {
                    (chunks ??= []).Add(c);
                }
            }
            result.Add(new SeriesMatch(series.Fingerprint, series.Labels, chunks is null ? [] : chunks));
        }
        return Task.FromResult<IReadOnlyList<SeriesMatch>>(result);
    }

    Task<IReadOnlyList<string>> IIndexGrain.LabelNamesAsync(IReadOnlyList<MatcherSpec> matchers)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var series in _index.Match(MatcherCompiler.Compile(matchers)))
        {
            foreach (var (name, _) in series.Pairs)
            {
                names.Add(name);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>([.. names]);
    }

    Task<IReadOnlyList<string>> IIndexGrain.LabelValuesAsync(string name, IReadOnlyList<MatcherSpec> matchers)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var series in _index.Match(MatcherCompiler.Compile(matchers)))
        {
            var value = series.Get(name);
            if (value.Length > 0)
            {
                values.Add(value);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>([.. values]);
    }

    Task<IReadOnlyList<SeriesMatch>> IIndexGrain.SnapshotAsync() =>
        Task.FromResult<IReadOnlyList<SeriesMatch>>([.. _index.AllSeries.Select(s => new SeriesMatch(s.Fingerprint, s.Labels, [.. s.Chunks]))]);

    async Task<int> IIndexGrain.ReplaceChunksAsync(IReadOnlyList<string> removeKeys, IReadOnlyList<SeriesMatch> add)
    {
        // Additions first: a series whose chunks are all replaced keeps its postings.
        var changed = false;
        foreach (var series in add)
        {
            foreach (var chunk in series.Chunks)
            {
                changed |= _index.AddChunk(series.Fingerprint, series.Labels, chunk);
            }
        }
        var (removed, seriesRemoved) = _index.RemoveChunks(removeKeys.ToHashSet(StringComparer.Ordinal));
        if (!(changed || removed))
        {
            return 0;
        }
        if (_index.SeriesCount > 0)
        {
            await PersistAsync();
            return seriesRemoved;
        }
        // An empty tenant-day: the file goes. A flush that adds a chunk meanwhile waits for the delete, then writes.
        var wanted = ++_version;
        while (_persisting is not null)
        {
            await _persisting;
        }
        if (_index.SeriesCount > 0)
        {
            await PersistAsync();
            return seriesRemoved;
        }
        var delete = DeleteFileAsync(wanted);
        if (!delete.IsCompleted)
        {
            _persisting = delete;
        }
        await delete;
        return seriesRemoved;
    }

    private async Task DeleteFileAsync(long version)
    {
        try
        {
            await store.DeleteAsync(_key);
            _persistedVersion = Math.Max(_persistedVersion, version);
        }
        finally
        {
            _persisting = null;
        }
    }

    private async Task PersistAsync()
    {
        var wanted = ++_version;
        while (_persistedVersion < wanted)
        {
            if (_persisting is not null)
            {
                await _persisting;
                continue;
            }
            // Assign only when still running: a write that completed synchronously has already cleared the field.
            var write = WriteAsync();
            if (!write.IsCompleted)
            {
                _persisting = write;
            }
            await write;
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            var version = _version;
            var bytes = IndexFile.Write(_index);
            await store.PutAsync(_key, bytes);
            _persistedVersion = version;
        }
        finally
        {
            _persisting = null;
        }
    }
}
