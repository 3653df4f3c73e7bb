using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Orleans.Loki.Storage;

/// <summary>
/// <see cref="IObjectStore"/> on one Azure Blob container. Puts are block blobs (a single upload or a committed
/// block list, both atomic); appends are append blobs, one Append Block per 4 MiB. The blob type tells the two
/// apart, so mixing Put and Append on one key throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class AzureBlobObjectStore : IObjectStore
{
    /// <summary>
    /// Append Block's size limit in the service versions Azurite and older accounts speak (newer versions allow
    /// 100 MiB); staying at 4 MiB works everywhere. An append blob holds at most 50,000 blocks, so a WAL segment
    /// must be rolled over long before that.
    /// </summary>
    public const int MaxAppendBlockBytes = 4 * 1024 * 1024;

    /// <summary>Retries of an overwrite that raced with another writer changing the blob in between.</summary>
    private const int PutAttempts = 3;

    private readonly BlobContainerClient _container;

    /// <summary>Where this process last left each append blob; pins the next append (see <see cref="AppendAsync"/>).</summary>
    private readonly ConcurrentDictionary<string, long> _appendEnds = new(StringComparer.Ordinal);

    public AzureBlobObjectStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    public BlobContainerClient Container => _container;

    /// <summary>Connects to <paramref name="containerName"/> and creates it when missing.</summary>
    public static async Task<AzureBlobObjectStore> CreateAsync(string connectionString, string containerName, CancellationToken ct = default)
    {
        var container = new BlobContainerClient(connectionString, containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        return new AzureBlobObjectStore(container);
    }

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        var blob = _container.GetBlobClient(key);
        var content = BinaryData.FromBytes(data);

        // Create-only first: chunk keys are new almost always, so this is one request. Otherwise overwrite exactly
        // the block blob we inspected, so an append blob created in between is never replaced silently.
        var conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
        for (var attempt = 1; attempt <= PutAttempts; attempt++)
        {
            try
            {
                await blob.UploadAsync(content, new BlobUploadOptions { Conditions = conditions }, ct).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Exists (create-only) or changed since we inspected it (overwrite): inspect again.
            }

            try
            {
                var properties = (await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false)).Value;
                if (properties.BlobType != BlobType.Block)
                {
                    throw new InvalidOperationException(
                        $"Object '{key}' is an {properties.BlobType} blob written with AppendAsync; PutAsync cannot replace it (delete it first).");
                }

                conditions = new BlobRequestConditions { IfMatch = properties.ETag };
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
            }
        }

        throw new IOException($"Object '{key}' kept changing during PutAsync ({PutAttempts} attempts); concurrent writers to one key?");
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        try
        {
            var result = await _container.GetBlobClient(key).DownloadContentAsync(ct).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async ValueTask<byte[]?> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var blob = _container.GetBlobClient(key);
        try
        {
            if (length == 0)
            {
                await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false);
                return [];
            }

            var options = new BlobDownloadOptions { Range = new HttpRange(offset, length) };
            var result = await blob.DownloadContentAsync(options, ct).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            // InvalidRange: the blob exists and the offset is at or past its end.
            return [];
        }
    }

    public async ValueTask AppendAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        var blob = _container.GetAppendBlobClient(key);
        if (data.IsEmpty)
        {
            await CreateAppendBlobAsync(blob, key, ct).ConfigureAwait(false);
            return;
        }

        // Pin every block to where this writer last left the blob, so a request the SDK retries after its first
        // attempt landed fails with 412 instead of appending the block twice (see ResolvePositionConflictAsync).
        long? position = _appendEnds.TryGetValue(key, out var known) ? known : null;
        var completed = false;
        try
        {
            for (var start = 0; start < data.Length; start += MaxAppendBlockBytes)
            {
                var slice = data.Slice(start, Math.Min(MaxAppendBlockBytes, data.Length - start));
                position = await AppendBlockAsync(blob, key, slice, position, ct).ConfigureAwait(false);
            }

            _appendEnds[key] = position!.Value;
            completed = true;
        }
        finally
        {
            if (!completed)
            {
                // The blob's end is unknown after a failure: forget it rather than trust it.
                _appendEnds.TryRemove(key, out _);
            }
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKeys.ValidatePrefix(prefix);

        // The service lists blob names in ascending UTF-8 byte order, which is ordinal order for valid keys
        // outside the surrogate range; results stream page by page.
        var options = new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix };
        await foreach (var item in _container.GetBlobsAsync(options, ct).ConfigureAwait(false))
        {
            yield return new ObjectInfo(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? default);
        }
    }

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        _appendEnds.TryRemove(key, out _);
        var response = await _container.GetBlobClient(key)
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false);
        return response.Value;
    }

    /// <summary>Appends one block (at most <see cref="MaxAppendBlockBytes"/>) and returns the blob's new end.</summary>
    private static async Task<long> AppendBlockAsync(AppendBlobClient blob, string key, ReadOnlyMemory<byte> slice, long? position, CancellationToken ct)
    {
        var triedCreate = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var stream = AsStream(slice);
                var options = new AppendBlobAppendBlockOptions
                {
                    Conditions = position is { } p ? new AppendBlobRequestConditions { IfAppendPositionEqual = p } : null,
                };
                var info = (await blob.AppendBlockAsync(stream, options, ct).ConfigureAwait(false)).Value;
                return long.Parse(info.BlobAppendOffset, CultureInfo.InvariantCulture) + slice.Length;
            }
            catch (RequestFailedException e) when (e.Status == 404 && !triedCreate && e.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                triedCreate = true;
                position = await CreateAppendBlobAsync(blob, key, ct).ConfigureAwait(false) ? 0 : null;
            }
            catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == BlobErrorCode.InvalidBlobType)
            {
                throw MixedTypes(key, e);
            }
            catch (RequestFailedException e) when (e.Status == 412 && e.ErrorCode == BlobErrorCode.AppendPositionConditionNotMet && attempt < 3)
            {
                var (landed, end) = await ResolvePositionConflictAsync(blob, slice, position!.Value, ct).ConfigureAwait(false);
                if (landed)
                {
                    return end;
                }

                position = end;
            }
        }
    }

    /// <summary>
    /// After a 412 on the append position: either our block already landed (an SDK retry of a request whose first
    /// attempt succeeded: the blob ends with exactly our bytes at the expected place), or another writer appended
    /// since (the stream moved to this process from another one): then append at the new end.
    /// </summary>
    private static async Task<(bool Landed, long End)> ResolvePositionConflictAsync(AppendBlobClient blob, ReadOnlyMemory<byte> slice, long expected, CancellationToken ct)
    {
        var length = (await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false)).Value.ContentLength;
        if (length == expected + slice.Length)
        {
            var tail = await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(expected, slice.Length) }, ct).ConfigureAwait(false);
            if (tail.Value.Content.ToMemory().Span.SequenceEqual(slice.Span))
            {
                return (true, length);
            }
        }

        return (false, length);
    }

    /// <summary>Creates an empty append blob unless one exists; true when this call created it.</summary>
    private static async Task<bool> CreateAppendBlobAsync(AppendBlobClient blob, string key, CancellationToken ct)
    {
        // Create-only: null means the blob already existed, which is fine for an append blob and a caller bug otherwise.
        var created = await blob.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        if (created is null)
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false)).Value;
            if (properties.BlobType != BlobType.Append)
            {
                throw MixedTypes(key, null);
            }
        }

        return created is not null;
    }

    private static InvalidOperationException MixedTypes(string key, Exception? inner) =>
        new($"Object '{key}' is a block blob written with PutAsync; AppendAsync cannot append to it (delete it first).", inner);

    private static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}
