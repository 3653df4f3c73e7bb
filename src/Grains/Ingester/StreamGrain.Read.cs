using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Queries over the stream's in-memory (unflushed) entries.</summary>
internal sealed partial class StreamGrain
{
    Task<UnflushedEntries> IStreamGrain.ReadUnflushedAsync(long fromNs, long throughNs)
    {
        var entries = new List<LogEntry>();
        foreach (var closed in _closed)
        {
            entries.AddRange(closed.Chunk.Iterate(fromNs, throughNs, backward: false));
        }
        entries.AddRange(_head.Iterate(fromNs, throughNs, backward: false));
        if (_closed.Count > 0)
        {
            // Generations may overlap in time (out-of-order writes); a stable sort keeps insertion order for ties.
            entries = [.. entries.OrderBy(e => e.TimestampNs)];
        }
        var batch = EntryBatch.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries));
        return Task.FromResult(new UnflushedEntries(_labels ?? "", batch, entries.Count));
    }

    Task<int> IStreamGrain.RecoverAsync()
    {
        var count = _head.EntryCount;
        foreach (var closed in _closed)
        {
            count += closed.Chunk.EntryCount;
        }
        return Task.FromResult(count);
    }
}
