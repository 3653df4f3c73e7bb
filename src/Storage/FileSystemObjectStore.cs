using System.Runtime.CompilerServices;

namespace Orleans.Loki.Storage;

/// <summary>
/// <see cref="IObjectStore"/> on a local directory: key segments map to subdirectories. Puts write a temporary
/// file under <c>.staging/</c>, fsync it and rename it over the target (atomic on POSIX and NTFS); appends write
/// and fsync. The filesystem keeps no object type, so mixing Put and Append on one key is not detected here.
/// A key cannot also be a "directory" of other keys ("a" and "a/b" cannot coexist).
/// </summary>
public sealed class FileSystemObjectStore : IObjectStore
{
    /// <summary>Temporary files of in-flight puts; a '.' name can never collide with a valid key.</summary>
    private const string StagingDirectoryName = ".staging";

    /// <summary>Directories can vanish between creating them and using them (a delete prunes empty ones); retry that many times.</summary>
    private const int DirectoryRaceAttempts = 3;

    private readonly string _root;
    private readonly string _staging;

    public FileSystemObjectStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
        _staging = Path.Combine(_root, StagingDirectoryName);
        Directory.CreateDirectory(_staging);
    }

    /// <summary>The absolute root directory.</summary>
    public string RootDirectory => _root;

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var path = PathFor(key);
        var temp = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
        var moved = false;
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(data, ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            for (var attempt = 1; !moved; attempt++)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                try
                {
                    File.Move(temp, path, overwrite: true);
                    moved = true;
                }
                catch (DirectoryNotFoundException) when (attempt < DirectoryRaceAttempts && File.Exists(temp))
                {
                    // A concurrent delete pruned the freshly created directory; create it again.
                }
            }
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temp);
            }
        }
    }

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var path = PathFor(key);
        try
        {
            // Synchronous reads into an uninitialised array: on Linux an asynchronous file read is the same read on
            // another pool thread, and objects are mostly in the page cache, so the hop and the zeroing of a
            // chunk-sized array cost more than the copy itself.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var size = RandomAccess.GetLength(handle);
            if (size > Array.MaxLength)
            {
                throw new IOException($"object {key} is too large to read whole ({size} bytes)");
            }
            var result = GC.AllocateUninitializedArray<byte>((int)size);
            var filled = 0;
            while (filled < result.Length)
            {
                var read = RandomAccess.Read(handle, result.AsSpan(filled), filled);
                if (read == 0)
                {
                    // Truncated underneath us: what is there.
                    return ValueTask.FromResult<byte[]?>(result[..filled]);
                }
                filled += read;
            }
            return ValueTask.FromResult<byte[]?>(result);
        }
        catch (Exception e) when (IsAbsent(e, path))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }
    }

    public ValueTask<int> ReadRangeAsync(string key, long offset, Memory<byte> destination, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ct.ThrowIfCancellationRequested();
        var path = PathFor(key);
        try
        {
            // Synchronous, as GetAsync: objects are mostly in the page cache, and the caller's (pooled) buffer spares
            // an array per read.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var filled = 0;
            while (filled < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination.Span[filled..], offset + filled);
                if (read == 0)
                {
                    break;
                }
                filled += read;
            }
            return ValueTask.FromResult(filled);
        }
        catch (Exception e) when (IsAbsent(e, path))
        {
            return ValueTask.FromResult(-1);
        }
    }

    public async ValueTask<byte[]?> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var path = PathFor(key);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (IsAbsent(e, path))
        {
            return null;
        }

        using (handle)
        {
            var size = RandomAccess.GetLength(handle);
            if (offset >= size)
            {
                return [];
            }

            var result = new byte[(int)Math.Min(length, size - offset)];
            var filled = 0;
            while (filled < result.Length)
            {
                var read = await RandomAccess.ReadAsync(handle, result.AsMemory(filled), offset + filled, ct).ConfigureAwait(false);
                if (read == 0)
                {
                    // Truncated underneath us (only possible if someone replaced the file outside the store).
                    return result[..filled];
                }

                filled += read;
            }

            return result;
        }
    }

    public async ValueTask AppendAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var path = PathFor(key);
        var stream = OpenForAppend(path);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(data, ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var lastSlash = prefix.LastIndexOf('/');
        var directory = lastSlash < 0 ? _root : Path.Combine(_root, prefix[..lastSlash]);
        var found = new List<ObjectInfo>();
        if (Directory.Exists(directory))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", options))
            {
                ct.ThrowIfCancellationRequested();
                var key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal) && ObjectKeys.IsValid(key))
                {
                    found.Add(new ObjectInfo(key, file.Length, file.LastWriteTimeUtc));
                }
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var info in found)
        {
            yield return info;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        var path = PathFor(key);
        ct.ThrowIfCancellationRequested();
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return ValueTask.FromResult(false);
        }

        file.Delete();
        PruneEmptyDirectories(Path.GetDirectoryName(path)!);
        return ValueTask.FromResult(true);
    }

    private FileStream OpenForAppend(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
            }
            catch (DirectoryNotFoundException) when (attempt < DirectoryRaceAttempts)
            {
                // A concurrent delete pruned the freshly created directory; create it again.
            }
        }
    }

    /// <summary>Removes now-empty directories up to the root, so deleted WAL streams leave no directories behind.</summary>
    private void PruneEmptyDirectories(string directory)
    {
        while (directory.Length > _root.Length && directory.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(directory, recursive: false);
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                // Not empty (or in use): everything above is not empty either.
                return;
            }
            catch (DirectoryNotFoundException)
            {
                // Pruned concurrently; continue upwards.
            }

            directory = Path.GetDirectoryName(directory)!;
        }
    }

    private string PathFor(string key)
    {
        ObjectKeys.Validate(key);
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>Missing file or directory, or the key names a directory of other keys (not an object).</summary>
    private static bool IsAbsent(Exception e, string path) =>
        e is FileNotFoundException or DirectoryNotFoundException
        || (e is UnauthorizedAccessException && Directory.Exists(path));
}
