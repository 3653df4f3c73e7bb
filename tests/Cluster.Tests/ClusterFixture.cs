namespace Orleans.Loki.Cluster.Tests;

/// <summary>
/// Four processes of the real binary forming one Orleans cluster over Azure Table membership and Azure Blob
/// objects (the Azurite the test command starts): two <c>write</c>, one <c>read</c>, one <c>backend</c>.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("LOKI_TEST_AZURE_CONNECTION") ?? "UseDevelopmentStorage=true";

    public SiloProcess Write0 { get; private set; } = null!;
    public SiloProcess Write1 { get; private set; } = null!;
    public SiloProcess Read { get; private set; } = null!;
    public SiloProcess Backend { get; private set; } = null!;
    public IReadOnlyList<SiloProcess> All => [Write0, Write1, Read, Backend];

    public async Task InitializeAsync()
    {
        var id = "c" + Guid.NewGuid().ToString("n")[..12];
        var container = "cluster-" + id;
        Write0 = SiloProcess.Create("write", ConnectionString, container, id);
        Write1 = SiloProcess.Create("write", ConnectionString, container, id);
        Read = SiloProcess.Create("read", ConnectionString, container, id);
        Backend = SiloProcess.Create("backend", ConnectionString, container, id);
        // The first silo creates the membership table; the others join it.
        await Write0.StartAsync();
        await Task.WhenAll(Write1.StartAsync(), Read.StartAsync(), Backend.StartAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in new[] { Write0, Write1, Read, Backend })
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
