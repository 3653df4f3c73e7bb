using Amazon.S3;
using Amazon.S3.Model;

namespace Orleans.Loki.Storage.Tests;

/// <summary>
/// Runs the contract against an S3-compatible server: the s3rver that <c>scripts/s3.sh start</c> runs (the test
/// command starts it and exports LOKI_TEST_S3_ENDPOINT), or any S3 endpoint given there. An unset or unreachable
/// endpoint fails the tests on purpose: a silent skip would hide a broken setup.
/// </summary>
public sealed class S3ObjectStoreTests : ObjectStoreContractTests
{
    private readonly string _bucket = "loki-test-" + Guid.NewGuid().ToString("N")[..20];

    internal static S3Settings Settings(string bucket) => new()
    {
        Endpoint = Environment.GetEnvironmentVariable("LOKI_TEST_S3_ENDPOINT") is { Length: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException("LOKI_TEST_S3_ENDPOINT is not set: start a local S3 server with 'scripts/s3.sh start' and export LOKI_TEST_S3_ENDPOINT=$(scripts/s3.sh endpoint)"),
        BucketName = bucket,
        Region = "us-east-1",
        AccessKeyId = "S3RVER",
        SecretAccessKey = "S3RVER",
        ForcePathStyle = true,
        Insecure = true,
    };

    protected override async Task<IObjectStore> CreateStoreAsync() => await S3ObjectStore.CreateAsync(Settings(_bucket));

    protected override IObjectStore ReopenStore() => new S3ObjectStore(S3ObjectStore.CreateClient(Settings(_bucket)), _bucket);

    protected override async Task DeleteStoreAsync()
    {
        using var s3 = S3ObjectStore.CreateClient(Settings(_bucket));
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
        foreach (var o in listed.S3Objects ?? [])
        {
            await s3.DeleteObjectAsync(_bucket, o.Key);
        }
        await s3.DeleteBucketAsync(_bucket);
    }

    [Fact]
    public async Task Objects_are_plain_S3_objects_named_by_their_key()
    {
        await Store.PutAsync("fake/chunks/abc", "chunk"u8.ToArray());
        using var s3 = S3ObjectStore.CreateClient(Settings(_bucket));
        using var response = await s3.GetObjectAsync(_bucket, "fake/chunks/abc");
        using var reader = new StreamReader(response.ResponseStream);
        Assert.Equal("chunk", await reader.ReadToEndAsync());
        await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(_bucket, "chunks/abc"));
    }
}
