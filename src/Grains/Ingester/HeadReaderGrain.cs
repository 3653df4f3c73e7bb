using Orleans.Concurrency;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Grains.Querier;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// One per silo (see <see cref="IHeadReaderGrain"/>): finds the requested streams among the silo's active stream
/// grains (<see cref="StreamHeads"/>), collects each one's in-memory entries on that grain's own scheduler (so the read
/// sees the grain's state between its turns, as an interleaving call would) and runs the extraction over all of them at
/// once, off this grain's scheduler: one merged page instead of one page per stream.
/// </summary>
[Reentrant]
[SiloPinnedPlacement]
internal sealed class HeadReaderGrain(StreamHeads heads) : Grain, IHeadReaderGrain
{
    public async Task<HeadBatchPage> SelectSamplesAsync(HeadBatchSelect batch)
    {
        var select = batch.Select;
        var query = CompiledQuery.Get(select.Query, samples: true, select.RequiredLabels);
        var answered = new List<int>();
        var reads = new List<Task<HeadEntries>>();
        for (var i = 0; i < batch.Fingerprints.Length; i++)
        {
            if (heads.TryGet(batch.Tenant, batch.Fingerprints[i], out var grain))
            {
                answered.Add(i);
                reads.Add(grain.CollectHeadAsync(query.BlockFilter, select.FromNs, select.ThroughNs, batch.RawIntervals[i]));
            }
        }
        if (answered.Count == 0)
        {
            return new HeadBatchPage([], null, [], []);
        }
        var entries = await Task.WhenAll(reads);
        return await Task.Run(() => Samples(select, query, [.. answered], entries));
    }

    /// <summary>
    /// Extracts the samples of every stream's entries outside its raw intervals, in up to one partition per core
    /// (each with its own extractor and collector), merged into one page.
    /// </summary>
    private static async Task<HeadBatchPage> Samples(HeadSelect select, CompiledQuery query, int[] answered, HeadEntries[] entries)
    {
        var partitions = Math.Min(Environment.ProcessorCount, entries.Length);
        var parts = new Task<(SampleCollector Samples, long Lines, long Bytes)>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var (from, to) = ((int)((long)entries.Length * p / partitions), (int)((long)entries.Length * (p + 1) / partitions));
            parts[p] = Task.Run(() =>
            {
                var extractor = query.RentExtractor();
                try
                {
                    var samples = new SampleCollector(select.Grouping);
                    long lines = 0, bytes = 0;
                    for (var i = from; i < to; i++)
                    {
                        if (entries[i].Rest.Count == 0)
                        {
                            continue;
                        }
                        var processor = EntryProcessor.ForSamples(extractor, entries[i].Labels, samples, select.Deletes);
                        processor.VisitAll(entries[i].Rest);
                        lines += processor.Lines;
                        bytes += processor.Bytes;
                    }
                    return (samples, lines, bytes);
                }
                finally
                {
                    query.Return(extractor);
                }
            });
        }
        var done = await Task.WhenAll(parts);
        var stats = new ReadStats();
        var merged = done[0].Samples;
        foreach (var (samples, lines, bytes) in done)
        {
            stats.HeadLines += lines;
            stats.HeadBytes += bytes;
            if (!ReferenceEquals(samples, merged))
            {
                merged.Add(samples);
            }
        }
        var raw = new byte[entries.Length][];
        var rawCount = new int[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            rawCount[i] = entries[i].Raw.Count;
            raw[i] = rawCount[i] == 0 ? [] : EntryBatch.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries[i].Raw));
        }
        return new HeadBatchPage(answered, merged.ToPage(stats), raw, rawCount);
    }
}
