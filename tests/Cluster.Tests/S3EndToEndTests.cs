using System.Net;
using Amazon.S3.Model;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Cluster.Tests;

/// <summary>
/// The binary on S3 (<c>storage_config.aws</c>, the local s3rver of <c>scripts/s3.sh</c>, endpoint in
/// LOKI_TEST_S3_ENDPOINT): pushed lines come back, flushed chunks and the index are objects in the bucket, and a
/// restart on the same bucket replays and serves everything.
/// </summary>
public sealed class S3EndToEndTests
{
    [Fact]
    public async Task Push_flush_query_and_restart_on_S3()
    {
        var endpoint = Environment.GetEnvironmentVariable("LOKI_TEST_S3_ENDPOINT") is { Length: > 0 } e
            ? e
            : throw new InvalidOperationException("LOKI_TEST_S3_ENDPOINT is not set: run 'scripts/s3.sh start' and export LOKI_TEST_S3_ENDPOINT=$(scripts/s3.sh endpoint)");
        var bucket = "loki-e2e-" + Guid.NewGuid().ToString("n")[..16];
        await using var loki = SiloProcess.CreateStandalone($"""
            storage_config:
              aws:
                endpoint: {endpoint}
                bucketnames: {bucket}
                region: us-east-1
                access_key_id: S3RVER
                secret_access_key: S3RVER
                s3forcepathstyle: true
                insecure: true
            """);
        await loki.StartAsync();
        var start = Loki.NowNs();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await Loki.PushAsync(loki.Client, $"{{\"app\":\"s3\",\"n\":\"{i % 2}\"}}", start + i, $"s3 line {i}"));
        }
        var expected = Enumerable.Range(0, 10).Select(i => $"s3 line {i}").Order().ToArray();
        Assert.Equal(expected, (await Loki.LinesAsync(loki.Client, "{app=\"s3\"}", start, Loki.NowNs() + 1_000_000_000)).Order());

        using (var flush = await loki.Client.PostAsync("/flush", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, flush.StatusCode);
        }
        using var s3 = S3ObjectStore.CreateClient(new S3Settings
        {
            Endpoint = endpoint, BucketName = bucket, AccessKeyId = "S3RVER", SecretAccessKey = "S3RVER", ForcePathStyle = true, Insecure = true,
        });
        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];
        Assert.Contains(keys, k => k.StartsWith("fake/chunks/", StringComparison.Ordinal));

        await loki.KillAsync();
        await loki.StartAsync();
        Assert.Equal(expected, (await Loki.LinesAsync(loki.Client, "{app=\"s3\"}", start, Loki.NowNs() + 1_000_000_000)).Order());
    }
}
