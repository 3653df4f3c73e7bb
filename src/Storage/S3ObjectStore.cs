using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Orleans.Loki.Storage;

/// <summary>Settings of <see cref="S3ObjectStore"/> (Loki's <c>storage_config.aws</c> keys).</summary>
public sealed record S3Settings
{
    /// <summary><c>endpoint</c>: host[:port] or URL of an S3-compatible server; empty for AWS itself.</summary>
    public string Endpoint { get; init; } = "";
    /// <summary><c>bucketnames</c>: the bucket (the first, when a comma list is given).</summary>
    public string BucketName { get; init; } = "";
    public string Region { get; init; } = "us-east-1";
    public string AccessKeyId { get; init; } = "";
    public string SecretAccessKey { get; init; } = "";
    /// <summary><c>s3forcepathstyle</c>: <c>http://host/bucket/key</c> instead of <c>http://bucket.host/key</c> (MinIO, local servers).</summary>
    public bool ForcePathStyle { get; init; }
    /// <summary><c>insecure</c>: plain HTTP to <see cref="Endpoint"/>.</summary>
    public bool Insecure { get; init; }
}

/// <summary>
/// <see cref="IObjectStore"/> on S3 or an S3-compatible server (MinIO, Ceph, R2, ...), with the same key layout as
/// the other stores (the key is the object name). A put is one <c>PutObject</c> (atomic in S3). S3 has no append:
/// <see cref="AppendAsync"/> reads the object and writes it back with the new bytes (callers serialise appends to a
/// key, so this is safe), which costs the object's size per append; the write-ahead log keeps its segments small.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly string _bucket;

    public S3ObjectStore(IAmazonS3 s3, string bucket)
    {
        _s3 = s3;
        _bucket = bucket;
    }

    /// <summary>A client for <paramref name="settings"/>; creates the bucket when it does not exist.</summary>
    public static async Task<S3ObjectStore> CreateAsync(S3Settings settings, CancellationToken ct = default)
    {
        var store = new S3ObjectStore(CreateClient(settings), settings.BucketName);
        try
        {
            await store._s3.PutBucketAsync(new PutBucketRequest { BucketName = settings.BucketName }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // already there
        }
        return store;
    }

    public static IAmazonS3 CreateClient(S3Settings settings)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            AuthenticationRegion = settings.Region,
            // Plain PutObject bodies: S3-compatible servers do not all accept the SDK's default trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint.Length > 0)
        {
            var endpoint = settings.Endpoint.Contains("://", StringComparison.Ordinal)
                ? settings.Endpoint
                : (settings.Insecure ? "http://" : "https://") + settings.Endpoint;
            config.ServiceURL = endpoint;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        }
        return settings.AccessKeyId.Length > 0
            ? new AmazonS3Client(new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey), config)
            : new AmazonS3Client(config);
    }

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        using var body = new MemoryStream(data.ToArray(), writable: false);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false }, ct).ConfigureAwait(false);
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        return await WithRetriedReadsAsync(() => GetOnceAsync(key, ct)).ConfigureAwait(false);
    }

    private async Task<byte[]?> GetOnceAsync(string key, CancellationToken ct)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, ct).ConfigureAwait(false);
            return await ReadAllAsync(response, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async ValueTask<byte[]?> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return await ExistsAsync(key, ct).ConfigureAwait(false) ? [] : null;
        }
        return await WithRetriedReadsAsync(() => GetRangeOnceAsync(key, offset, length, ct)).ConfigureAwait(false);
    }

    private async Task<byte[]?> GetRangeOnceAsync(string key, long offset, int length, CancellationToken ct)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                ByteRange = new ByteRange(offset, offset + length - 1),
            }, ct).ConfigureAwait(false);
            return await ReadAllAsync(response, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Offset at or past the end (S3 answers 416 for a range that starts beyond the object).
            return [];
        }
    }

    public async ValueTask AppendAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        var existing = await GetAsync(key, ct).ConfigureAwait(false) ?? [];
        var combined = new byte[existing.Length + data.Length];
        existing.CopyTo(combined, 0);
        data.CopyTo(combined.AsMemory(existing.Length));
        await PutAsync(key, combined, ct).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var items = new List<ObjectInfo>();
        string? token = null;
        do
        {
            var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _bucket,
                Prefix = prefix,
                ContinuationToken = token,
            }, ct).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                items.Add(new ObjectInfo(o.Key, o.Size ?? 0, o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue));
            }
            token = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (token is not null);
        // S3 lists in UTF-8 byte order; the contract is ordinal (UTF-16) order.
        items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in items)
        {
            yield return item;
        }
    }

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKeys.Validate(key);
        // S3's DeleteObject succeeds for a missing key: ask first so the answer says whether something was deleted.
        if (!await ExistsAsync(key, ct).ConfigureAwait(false))
        {
            return false;
        }
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, ct).ConfigureAwait(false);
        return true;
    }

    public void Dispose() => _s3.Dispose();

    private static async Task<byte[]?> WithRetriedReadsAsync(Func<Task<byte[]?>> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read().ConfigureAwait(false);
            }
            catch (IOException) when (attempt < 5)
            {
                // Torn body (see ReadAllAsync): read again.
            }
            catch (Amazon.Runtime.AmazonClientException) when (attempt < 5)
            {
                // The same torn body seen by the SDK's checksum check ("Expected hash not equal to calculated hash"):
                // the object was replaced while it was streamed. Read again.
            }
            catch (ArgumentOutOfRangeException e) when (e.ParamName == "hex" && attempt < 5)
            {
                // A torn ETag: a server that replaces an object's data and metadata in two steps (s3rver, some
                // gateways) can answer a GET between them with an empty or cut ETag, which the SDK's MD5 check fails
                // to parse. It is the same replacement race as above: read again.
            }
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads one GET response. A body that ends before its Content-Length (the server replaced the object while it
    /// streamed it, or the connection broke) is never returned: <see cref="GetAsync"/> and <see cref="GetRangeAsync"/>
    /// ask again, so a reader sees the old or the new bytes, never a mix.
    /// </summary>
    private static async Task<byte[]> ReadAllAsync(GetObjectResponse response, CancellationToken ct)
    {
        using var buffer = response.ContentLength is > 0 and <= int.MaxValue ? new MemoryStream((int)response.ContentLength) : new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
