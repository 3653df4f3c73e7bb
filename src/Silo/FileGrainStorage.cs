using System.Security.Cryptography;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.Loki.Silo;

/// <summary>
/// Grain storage in files (the filesystem store's counterpart of Azure blob grain storage): one file per grain and
/// state name under <c>{root}</c>, written to a temporary file, fsynced and renamed over the old one. The ETag is a
/// hash of the file's bytes; a write whose ETag no longer matches fails with <see cref="InconsistentStateException"/>.
/// </summary>
internal sealed class FileGrainStorage(string root, Serializer serializer) : IGrainStorage
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }
        var bytes = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        grainState.State = serializer.Deserialize<T>(bytes);
        grainState.ETag = ETag(bytes);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var bytes = serializer.SerializeToArray(grainState.State);
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            CheckETag(path, grainState.ETag);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(bytes).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            _lock.Release();
        }
        grainState.ETag = ETag(bytes);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            CheckETag(path, grainState.ETag);
            File.Delete(path);
        }
        finally
        {
            _lock.Release();
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private static void CheckETag(string path, string? expected)
    {
        var current = File.Exists(path) ? ETag(File.ReadAllBytes(path)) : null;
        if (current != expected)
        {
            throw new InconsistentStateException($"grain state file {Path.GetFileName(path)} changed since it was read", current ?? "", expected ?? "");
        }
    }

    private static string ETag(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes), 0, 16);

    private string PathOf(string stateName, GrainId grainId)
    {
        // Grain ids hold '/' and other characters a file name cannot: the name is a hash, the type a readable prefix.
        var id = grainId.ToString();
        var hash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stateName + "\n" + id)), 0, 20).ToLowerInvariant();
        return Path.Combine(root, stateName, hash);
    }
}
