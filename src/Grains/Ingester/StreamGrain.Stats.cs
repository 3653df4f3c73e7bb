using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Index-style descriptions of the in-memory chunks, for index/stats and volume over recent data.</summary>
internal sealed partial class StreamGrain
{
    Task<IReadOnlyList<ChunkRef>> IStreamGrain.InMemoryChunksAsync(long fromNs, long throughNs)
    {
        var result = new List<ChunkRef>(_closed.Count + 1);
        foreach (var closed in _closed)
        {
            AddIfOverlapping(result, closed.Chunk, fromNs, throughNs);
        }
        AddIfOverlapping(result, _head, fromNs, throughNs);
        return Task.FromResult<IReadOnlyList<ChunkRef>>(result);
    }

    private static void AddIfOverlapping(List<ChunkRef> result, MemChunk chunk, long fromNs, long throughNs)
    {
        if (chunk.EntryCount > 0 && chunk.MinTimeNs < throughNs && chunk.MaxTimeNs >= fromNs)
        {
            result.Add(new ChunkRef("", chunk.MinTimeNs, chunk.MaxTimeNs + 1, chunk.EntryCount, chunk.UncompressedBytes, chunk.CompressedBytes));
        }
    }
}
