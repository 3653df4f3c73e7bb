using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace Orleans.Loki.Storage.Tests;

/// <summary>
/// Runs the contract against Azure Blob Storage, normally Azurite (<c>scripts/azurite.sh start</c>).
/// Set LOKI_TEST_AZURE_CONNECTION to use another account. An unreachable endpoint fails the tests on purpose:
/// a silent skip would hide a broken setup.
/// </summary>
public sealed class AzureBlobObjectStoreTests : ObjectStoreContractTests
{
    private readonly string _containerName = "loki-test-" + Guid.NewGuid().ToString("N");
    private BlobContainerClient? _container;

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("LOKI_TEST_AZURE_CONNECTION") is { Length: > 0 } configured ? configured : "UseDevelopmentStorage=true";

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        _container = new BlobServiceClient(ConnectionString, ClientOptions()).GetBlobContainerClient(_containerName);
        try
        {
            await _container.CreateIfNotExistsAsync();
        }
        catch (Exception e) when (e is AggregateException or RequestFailedException { Status: 0 } or HttpRequestException)
        {
            throw new InvalidOperationException(
                $"Azure Blob Storage is not reachable with connection '{Redacted(ConnectionString)}'. Start Azurite with 'scripts/azurite.sh start' " +
                "(or set LOKI_TEST_AZURE_CONNECTION).", e);
        }

        return new AzureBlobObjectStore(_container);
    }

    protected override IObjectStore ReopenStore() =>
        new AzureBlobObjectStore(new BlobServiceClient(ConnectionString, ClientOptions()).GetBlobContainerClient(_containerName));

    protected override async Task DeleteStoreAsync()
    {
        if (_container is not null)
        {
            await _container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task Append_ToObjectWrittenWithPut_ThrowsInvalidOperation()
    {
        await Store.PutAsync("mixed/put", "block"u8.ToArray());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.AppendAsync("mixed/put", "x"u8.ToArray()));

        Assert.Contains("'mixed/put' is a block blob written with PutAsync", e.Message);
        Assert.Equal("block"u8.ToArray(), await Store.GetAsync("mixed/put"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.AppendAsync("mixed/put", ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public async Task Put_OverObjectWrittenWithAppend_ThrowsInvalidOperation()
    {
        await Store.AppendAsync("mixed/append", "wal"u8.ToArray());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.PutAsync("mixed/append", "x"u8.ToArray()));

        Assert.Contains("'mixed/append' is an Append blob written with AppendAsync", e.Message);
        Assert.Equal("wal"u8.ToArray(), await Store.GetAsync("mixed/append"));
    }

    [Fact]
    public async Task Append_LargerThanOneAppendBlock_UsesSeveralBlocks()
    {
        var data = new byte[AzureBlobObjectStore.MaxAppendBlockBytes * 2 + 1];

        await Store.AppendAsync("wal/blocks", data);

        var properties = await _container!.GetBlobClient("wal/blocks").GetPropertiesAsync();
        Assert.Equal(3, properties.Value.BlobCommittedBlockCount);
        Assert.Equal(data.Length, properties.Value.ContentLength);
    }

    [Fact]
    public async Task Append_WhoseResponseIsLost_IsRetriedWithoutDuplicatingTheBlock()
    {
        var dropper = new DropFirstAppendResponsePolicy();
        var options = ClientOptions();
        options.AddPolicy(dropper, HttpPipelinePosition.PerRetry);
        var store = new AzureBlobObjectStore(new BlobServiceClient(ConnectionString, options).GetBlobContainerClient(_containerName));

        await store.AppendAsync("wal/retried", "record-1|"u8.ToArray());
        await store.AppendAsync("wal/retried", "record-2|"u8.ToArray());

        Assert.True(dropper.Dropped);
        Assert.Equal("record-1|record-2|"u8.ToArray(), await Store.GetAsync("wal/retried"));
    }

    [Fact]
    public async Task CreateAsync_CreatesMissingContainer()
    {
        var name = "loki-test-" + Guid.NewGuid().ToString("N");
        var store = await AzureBlobObjectStore.CreateAsync(ConnectionString, name);
        try
        {
            Assert.True((await store.Container.ExistsAsync()).Value);
            await store.PutAsync("k", "v"u8.ToArray());
            Assert.Equal("v"u8.ToArray(), await store.GetAsync("k"));
        }
        finally
        {
            await store.Container.DeleteIfExistsAsync();
        }
    }

    /// <summary>Lets the first Append Block reach the service, then loses its response, as a dropped connection would.</summary>
    private sealed class DropFirstAppendResponsePolicy : HttpPipelinePolicy
    {
        public bool Dropped { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("tests use the async API");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (!Dropped && message.Request.Uri.Query.Contains("comp=appendblock", StringComparison.Ordinal) && message.Response.Status == 201)
            {
                Dropped = true;
                throw new IOException("simulated connection reset after the block was committed");
            }
        }
    }

    /// <summary>Few, quick retries: against a local emulator a long backoff only delays the "start Azurite" message.</summary>
    private static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    private static string Redacted(string connectionString) =>
        string.Join(';', connectionString.Split(';').Select(p => p.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) ? "AccountKey=***" : p));
}
