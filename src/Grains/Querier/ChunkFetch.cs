using System.Buffers;
using System.Buffers.Binary;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// A chunk being read: either the whole object, or (when only some blocks will be read) a buffer of the object's size
/// holding the header, the index and footer, and each block once it is asked for, fetched with range reads.
/// <see cref="ChunkReader"/> validates the header, index and footer as usual, and each block's checksum when it is
/// scanned, so a sparse buffer never yields bytes that were not read.
/// </summary>
internal sealed class ChunkFetch
{
    /// <summary>Chunks up to this size are read whole: one read costs less than several. Tests lower it to exercise range reads.</summary>
    internal static int WholeBelow { get; set; } = 128 * 1024;

    /// <summary>Bytes read from the end first: the footer and, in one go, the index of a typical chunk.</summary>
    private const int TailGuess = 32 * 1024;

    // The chunk format's fixed sizes (src/Chunks/README.md): magic+version+codec+reserved, and indexOffset+length+CRC.
    private const int HeaderSize = 8;
    private const int FooterSize = 16;

    private readonly IObjectStore _store;
    private readonly string _key;
    private readonly HashSet<long>? _loaded;

    private byte[]? _rented;

    private ChunkFetch(IObjectStore store, string key, byte[] data, int length, bool sparse, bool pooled)
    {
        _store = store;
        _key = key;
        _rented = pooled ? data : null;
        Data = data.AsMemory(0, length);
        _loaded = sparse ? [] : null;
    }

    /// <summary>The chunk bytes (blocks not yet loaded are garbage in a sparse buffer).</summary>
    public Memory<byte> Data { get; private set; }

    /// <summary>Bytes read from the store so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the whole chunk; null when it no longer exists.</summary>
    public static async Task<ChunkFetch?> WholeAsync(IObjectStore store, ChunkRef chunk, CancellationToken ct)
    {
        var size = chunk.CompressedBytes;
        if (size > 0 && size < Array.MaxLength)
        {
            // Into a pooled buffer (a chunk-sized array per chunk and query is a large-object allocation each time):
            // one byte more than indexed tells that the object is exactly the indexed size.
            var rented = ArrayPool<byte>.Shared.Rent((int)size + 1);
            var read = await store.ReadRangeAsync(chunk.Key, 0, rented.AsMemory(0, (int)size + 1), ct).ConfigureAwait(false);
            if (read == size)
            {
                return new ChunkFetch(store, chunk.Key, rented, read, sparse: false, pooled: true) { BytesRead = read };
            }
            ArrayPool<byte>.Shared.Return(rented);
            if (read < 0)
            {
                return null;
            }
        }
        var data = await store.GetAsync(chunk.Key, ct).ConfigureAwait(false);
        return data is null ? null : new ChunkFetch(store, chunk.Key, data, data.Length, sparse: false, pooled: false) { BytesRead = data.Length };
    }

    /// <summary>Reads the header, index and footer only (or the whole chunk when small); null when it no longer exists.</summary>
    public static async Task<ChunkFetch?> SparseAsync(IObjectStore store, ChunkRef chunk, CancellationToken ct)
    {
        var size = chunk.CompressedBytes;
        if (size <= WholeBelow || size > int.MaxValue)
        {
            return await WholeAsync(store, chunk, ct).ConfigureAwait(false);
        }
        // Pooled and not cleared: only the parts read are ever looked at (block checksums are verified when a block is
        // scanned). A fresh megabyte-sized buffer per chunk and sub-query (an export reads each chunk once per page)
        // is a large-object allocation each time, and the full collections they cause cost more than the reads.
        var rented = ArrayPool<byte>.Shared.Rent((int)size);
        var fetch = new ChunkFetch(store, chunk.Key, rented, (int)size, sparse: true, pooled: true);
        var tailLength = (int)Math.Min(size, TailGuess);
        if (!await fetch.ReadAsync(size - tailLength, tailLength, ct).ConfigureAwait(false))
        {
            return null;
        }
        var indexOffset = BinaryPrimitives.ReadUInt64LittleEndian(fetch.Data.Span[((int)size - FooterSize)..]);
        // A corrupt footer points anywhere: clamp, and let ChunkReader.Open reject it.
        var indexStart = (long)Math.Min(indexOffset, (ulong)(size - tailLength));
        if (indexStart < size - tailLength && !await fetch.ReadAsync(indexStart, (int)(size - tailLength - indexStart), ct).ConfigureAwait(false))
        {
            return null;
        }
        return await fetch.ReadAsync(0, HeaderSize, ct).ConfigureAwait(false) ? fetch : null;
    }

    /// <summary>
    /// Gives a pooled buffer back once nothing reads <see cref="Data"/> any more (decoded entries are copied out of
    /// it); a chunk read with <see cref="IObjectStore.GetAsync"/> is left to the collector.
    /// </summary>
    public void Release()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            Data = Memory<byte>.Empty;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Makes sure the block's bytes are in <see cref="Data"/>; false when the chunk disappeared meanwhile.</summary>
    public async ValueTask<bool> LoadAsync(BlockMeta block, CancellationToken ct)
    {
        if (_loaded is null || _loaded.Contains(block.Offset))
        {
            return true;
        }
        if (!await ReadAsync(block.Offset, block.Length, ct).ConfigureAwait(false))
        {
            return false;
        }
        _loaded.Add(block.Offset);
        return true;
    }

    /// <summary>
    /// Makes sure every one of <paramref name="blocks"/> is in <see cref="Data"/>, those not loaded yet with one range
    /// read from the first to the last of them; false when the chunk disappeared meanwhile.
    /// </summary>
    public async ValueTask<bool> LoadAsync(IReadOnlyList<BlockMeta> blocks, CancellationToken ct)
    {
        if (_loaded is null)
        {
            return true;
        }
        long start = long.MaxValue, end = long.MinValue;
        foreach (var block in blocks)
        {
            if (!_loaded.Contains(block.Offset))
            {
                start = Math.Min(start, block.Offset);
                end = Math.Max(end, block.Offset + block.Length);
            }
        }
        if (start >= end)
        {
            return true;
        }
        if (!await ReadAsync(start, (int)(end - start), ct).ConfigureAwait(false))
        {
            return false;
        }
        foreach (var block in blocks)
        {
            _loaded.Add(block.Offset);
        }
        return true;
    }

    private async Task<bool> ReadAsync(long offset, int length, CancellationToken ct)
    {
        if (await _store.ReadRangeAsync(_key, offset, Data.Slice((int)offset, length), ct).ConfigureAwait(false) != length)
        {
            // Absent, or shorter than indexed: deleted (or replaced) since the lookup.
            return false;
        }
        BytesRead += length;
        return true;
    }
}
