using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Grains;
using Orleans.Loki.Storage;
using Orleans.TestingHost;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// <c>ingester.max_unflushed_bytes</c>: a silo over its cap refuses pushes with 503 and a text before anything is
/// stored; an early flush of the largest streams brings it back under the cap, and every acknowledged entry is readable.
/// </summary>
public sealed class MemoryCapTests : IAsyncLifetime
{
    private const long Cap = 64 * 1024;
    private static readonly FakeTimeProvider s_time = new(DateTimeOffset.UtcNow);
    private TestCluster _cluster = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _root = "";

    public async Task InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "loki-memcap-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(_root);
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Properties["StoreRoot"] = _root;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        _app = await TestGateway.StartAsync(_cluster.Client, SiloConfigurator.Ingester, new GatewayOptions(), s_time);
        _http = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Pushes_over_the_cap_get_503_until_an_early_flush_frees_memory()
    {
        var silo = ((InProcessSiloHandle)_cluster.Primary!).SiloHost.Services;
        var memory = silo.GetRequiredService<IngesterMemory>();
        Assert.Equal(Cap, memory.LimitBytes);
        var now = s_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

        // Under the cap before it, the first push is taken whole, and leaves the silo over the cap.
        Assert.Equal(HttpStatusCode.NoContent, (await PushAsync("big", now, 100)).Status);
        Assert.True(memory.OverLimit, $"{memory.UnflushedBytes} bytes unflushed");

        var (status, text) = await PushAsync("small", now, 3);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("ingester memory limit reached for user 'fake'", text, StringComparison.Ordinal);
        Assert.Contains("ingester.max_unflushed_bytes is 65536", text, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("small", now));

        // The pressure check (once a second in the silo) flushes the largest stream: memory is back under the cap.
        var flusher = silo.GetServices<IHostedService>().OfType<MemoryPressureFlusher>().Single();
        await flusher.RelieveAsync(CancellationToken.None);
        Assert.False(memory.OverLimit, $"{memory.UnflushedBytes} bytes unflushed");
        Assert.True(memory.UnflushedBytes <= Cap * MemoryPressureFlusher.LowWater);

        Assert.Equal(HttpStatusCode.NoContent, (await PushAsync("small", now, 3)).Status);
        Assert.Equal(100, await CountAsync("big", now));
        Assert.Equal(3, await CountAsync("small", now));

        using var metrics = await _http.GetAsync("/metrics");
        var exposition = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("reason=\"ingester_memory_limit\"", exposition, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, string Text)> PushAsync(string app, long now, int lines)
    {
        var line = new string('x', 1000);
        var values = string.Join(",", Enumerable.Range(0, lines).Select(i => $"[\"{now + i}\",\"{i} {line}\"]"));
        using var response = await _http.PostAsync("/loki/api/v1/push",
            new StringContent($"{{\"streams\":[{{\"stream\":{{\"app\":\"{app}\"}},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<int> CountAsync(string app, long now)
    {
        var (status, body) = await QueryClient.RangeAsync(_http, $"{{app=\"{app}\"}}", now - 1_000_000_000, now + 1_000_000_000, 1_000_000_000, limit: 1000);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Sum(r => r.GetProperty("values").GetArrayLength());
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public static readonly IngesterOptions Ingester = new() { FlushCheckPeriod = TimeSpan.FromHours(1), MaxUnflushedBytes = Cap };

        public void Configure(ISiloBuilder siloBuilder)
        {
            // Every silo of a test cluster runs every module, as a monolithic (target=all) server.
            siloBuilder.AddLokiRolePlacement("all");
            // A clock that never moves: the pressure check runs only when the test calls it.
            siloBuilder.Services.AddSingleton<TimeProvider>(s_time);
            siloBuilder.Services.AddSingleton(Ingester);
            siloBuilder.Services.AddSingleton<IObjectStore>(new FileSystemObjectStore(siloBuilder.Configuration["StoreRoot"]!));
            siloBuilder.Services.AddLokiIngester();
        }
    }
}
