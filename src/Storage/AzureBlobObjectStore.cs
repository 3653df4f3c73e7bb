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

        long? nextPosition = null;
        for (var start = 0; start < data.Length; start += MaxAppendBlockBytes)
        {
            var slice = data.Slice(start, Math.Min(MaxAppendBlockBytes, data.Length - start));

            // After the first block, pin each block to the end of the previous one, so a retried request can never
            // append a block twice or in the wrong place.
            var conditions = nextPosition is { } position ? new AppendBlobRequestConditions { IfAppendPositionEqual = position } : null;
            var info = await AppendBlockAsync(blob, key, slice, conditions, ct).ConfigureAwait(false);
            nextPosition = long.Parse(info.BlobAppendOffset, System.Globalization.CultureInfo.InvariantCulture) + slice.Length;
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
        var response = await _container.GetBlobClient(key)
            .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false);
        return response.Value;
    }

    private static async Task<BlobAppendInfo> AppendBlockAsync(
        AppendBlobClient blob, string key, ReadOnlyMemory<byte> slice, AppendBlobRequestConditions? conditions, CancellationToken ct)
    {
        for (var created = false; ; created = true)
        {
            try
            {
                using var stream = AsStream(slice);
                var options = new AppendBlobAppendBlockOptions { Conditions = conditions };
                return (await blob.AppendBlockAsync(stream, options, ct).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404 && !created && e.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                await CreateAppendBlobAsync(blob, key, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == BlobErrorCode.InvalidBlobType)
            {
                throw MixedTypes(key, e);
            }
        }
    }

    private static async Task CreateAppendBlobAsync(AppendBlobClient blob, string key, CancellationToken ct)
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
    }

    private static InvalidOperationException MixedTypes(string key, Exception? inner) =>
        new($"Object '{key}' is a block blob written with PutAsync; AppendAsync cannot append to it (delete it first).", inner);

    private static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}
