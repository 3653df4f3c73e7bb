using Orleans.Concurrency;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Index of one tenant-day. Mutations are applied in memory and then persisted; concurrent mutations share one write
/// (group commit), and each caller is acknowledged only once a write containing its change has completed. A write
/// appends the changes to the day's delta log, or, now and then, replaces the base file with the whole index
/// (<see cref="IndexGrain"/>'s persistence part).
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

    Task IIndexGrain.RegisterSeriesAsync(ulong fingerprint, string labels) =>
        _index.AddSeries(fingerprint, labels) ? PersistAsync(new IndexChange(fingerprint, labels, null)) : Task.CompletedTask;

    Task IIndexGrain.RegisterSeriesManyAsync(ulong[] fingerprints, string[] labels)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(labels.Length, fingerprints.Length, nameof(labels));
        var added = false;
        for (var i = 0; i < fingerprints.Length; i++)
        {
            if (_index.AddSeries(fingerprints[i], labels[i]))
            {
                _changes.Add(new IndexChange(fingerprints[i], labels[i], null));
                added = true;
            }
        }
        return added ? PersistAsync() : Task.CompletedTask;
    }

    Task IIndexGrain.AddChunkAsync(ulong fingerprint, string labels, ChunkRef chunk) =>
        _index.AddChunk(fingerprint, labels, chunk) ? PersistAsync(new IndexChange(fingerprint, labels, chunk)) : Task.CompletedTask;

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
        // Removals are not delta changes: the next write is a whole base file.
        _compactNext = true;
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
}
