namespace Orleans.Loki.Storage;

/// <summary>
/// A flat key → bytes store (the system of record for chunks, WAL segments and index files).
/// Keys are '/'-separated paths validated by <see cref="ObjectKeys.Validate"/>; invalid keys throw
/// <see cref="ArgumentException"/>. See README.md for the durability contract of each method.
/// </summary>
public interface IObjectStore
{
    /// <summary>Creates or atomically replaces <paramref name="key"/>: readers see the old or the new bytes, never a mix. Durable on completion.</summary>
    /// <exception cref="InvalidOperationException">The key holds an append object (written with <see cref="AppendAsync"/>), where the store can tell.</exception>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <summary>The whole object, or null when absent.</summary>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// Up to <paramref name="length"/> bytes from <paramref name="offset"/>: fewer when the object ends first, empty
    /// when <paramref name="offset"/> is at or past the end; null when the object is absent.
    /// </summary>
    ValueTask<byte[]?> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default);

    /// <summary>
    /// As <see cref="GetRangeAsync"/> into <paramref name="destination"/> (up to its length from <paramref name="offset"/>):
    /// the bytes read, fewer when the object ends first; -1 when the object is absent. Stores that can read into a
    /// caller's buffer override it; the default copies what <see cref="GetRangeAsync"/> returns.
    /// </summary>
    ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> destination, CancellationToken ct = default) =>
        CopyRangeAsync(this, key, offset, destination, ct);

    private static async ValueTask<int> CopyRangeAsync(IObjectStore store, string key, long offset, Memory<byte> destination, CancellationToken ct)
    {
        var bytes = await store.GetRangeAsync(key, offset, destination.Length, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            return -1;
        }
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    /// <summary>
    /// Appends to <paramref name="key"/>, creating it when absent. Durable when the task completes. A failure or crash
    /// can leave a prefix of <paramref name="data"/> appended (a torn tail), never reordered or foreign bytes.
    /// Callers serialise appends to one key; concurrent appends to one key are not supported.
    /// </summary>
    /// <exception cref="InvalidOperationException">The key holds an object written with <see cref="PutAsync"/>, where the store can tell.</exception>
    ValueTask AppendAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <summary>
    /// All objects whose key starts with <paramref name="prefix"/> (a string prefix, not a directory: "a/b" matches
    /// "a/bc"), ordered by key (ordinal). An empty prefix lists everything.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken ct = default);

    /// <summary>Deletes <paramref name="key"/>; true when something was deleted.</summary>
    ValueTask<bool> DeleteAsync(string key, CancellationToken ct = default);
}
