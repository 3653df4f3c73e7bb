using System.Buffers;

namespace Orleans.Loki.Push;

/// <summary>
/// Buffers for push bodies (as received and decompressed). Small ones come from <see cref="ArrayPool{T}.Shared"/>;
/// ones above <see cref="PooledMax"/> are plain arrays that go back to the garbage collector instead of the pool.
/// </summary>
/// <remarks>
/// The shared pool keeps arrays of up to a gigabyte per core and per thread once they are returned: a few large
/// requests (or hostile ones that are refused anyway) would otherwise pin that memory for the life of the process.
/// </remarks>
public static class PushBuffers
{
    /// <summary>Largest buffer taken from and returned to the shared pool (push bodies of a few MiB are common).</summary>
    public const int PooledMax = 4 << 20;

    /// <summary>A buffer of at least <paramref name="size"/> bytes; give it back with <see cref="Return"/>.</summary>
    public static byte[] Rent(int size) => size <= PooledMax
        ? ArrayPool<byte>.Shared.Rent(size)
        : GC.AllocateUninitializedArray<byte>(size);

    /// <summary>Returns a buffer from <see cref="Rent"/>: small ones to the pool, large ones are left to the collector.</summary>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length > 0 && buffer.Length <= PooledMax)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
