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

    private ChunkFetch(IObjectStore store, string key, byte[] data, bool sparse)
    {
        _store = store;
        _key = key;
        Data = data;
        _loaded = sparse ? [] : null;
    }

    /// <summary>The chunk bytes (blocks not yet loaded are zero in a sparse buffer).</summary>
    public byte[] Data { get; }

    /// <summary>Bytes read from the store so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the whole chunk; null when it no longer exists.</summary>
    public static async Task<ChunkFetch?> WholeAsync(IObjectStore store, ChunkRef chunk, CancellationToken ct)
    {
        var data = await store.GetAsync(chunk.Key, ct).ConfigureAwait(false);
        return data is null ? null : new ChunkFetch(store, chunk.Key, data, sparse: false) { BytesRead = data.Length };
    }

    /// <summary>Reads the header, index and footer only (or the whole chunk when small); null when it no longer exists.</summary>
    public static async Task<ChunkFetch?> SparseAsync(IObjectStore store, ChunkRef chunk, CancellationToken ct)
    {
        var size = chunk.CompressedBytes;
        if (size <= WholeBelow || size > int.MaxValue)
        {
            return await WholeAsync(store, chunk, ct).ConfigureAwait(false);
        }
        // Uninitialised: only the parts read are ever looked at (block checksums are verified when a block is scanned),
        // and zeroing a megabyte-sized buffer per chunk costs more than the reads it replaces.
        var buffer = GC.AllocateUninitializedArray<byte>((int)size);
        var fetch = new ChunkFetch(store, chunk.Key, buffer, sparse: true);
        var tailLength = (int)Math.Min(size, TailGuess);
        if (!await fetch.ReadAsync(size - tailLength, tailLength, ct).ConfigureAwait(false))
        {
            return null;
        }
        var indexOffset = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan((int)size - FooterSize));
        // A corrupt footer points anywhere: clamp, and let ChunkReader.Open reject it.
        var indexStart = (long)Math.Min(indexOffset, (ulong)(size - tailLength));
        if (indexStart < size - tailLength && !await fetch.ReadAsync(indexStart, (int)(size - tailLength - indexStart), ct).ConfigureAwait(false))
        {
            return null;
        }
        return await fetch.ReadAsync(0, HeaderSize, ct).ConfigureAwait(false) ? fetch : null;
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

    private async Task<bool> ReadAsync(long offset, int length, CancellationToken ct)
    {
        var bytes = await _store.GetRangeAsync(_key, offset, length, ct).ConfigureAwait(false);
        if (bytes is null || bytes.Length != length)
        {
            // Absent, or shorter than indexed: deleted (or replaced) since the lookup.
            return false;
        }
        bytes.CopyTo(Data.AsSpan((int)offset));
        BytesRead += length;
        return true;
    }
}
