using Azure;
using Azure.Storage.Blobs;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Tests;

/// <summary>Connection to the Azurite instance the test command starts (scripts/azurite.sh).</summary>
internal static class AzuriteConnection
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("LOKI_TEST_AZURE_CONNECTION") ?? "UseDevelopmentStorage=true";

    public static async Task<AzureBlobObjectStore> CreateStoreAsync(string container)
    {
        try
        {
            return await AzureBlobObjectStore.CreateAsync(ConnectionString, container);
        }
        catch (RequestFailedException e)
        {
            throw new InvalidOperationException($"Azurite is not usable ({e.Message}); start it with 'scripts/azurite.sh start' (the test command does this)", e);
        }
        catch (AggregateException e)
        {
            throw new InvalidOperationException($"Azurite is not reachable ({e.Message}); start it with 'scripts/azurite.sh start' (the test command does this)", e);
        }
    }

    public static BlobContainerClient Container(string name) => new BlobServiceClient(ConnectionString).GetBlobContainerClient(name);
}
