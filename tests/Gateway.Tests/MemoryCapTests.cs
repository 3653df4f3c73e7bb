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
/// Two gateways over the one silo: one without a push budget (a process whose stream grains live elsewhere: the
/// stream grains refuse, stage append) and one sharing the silo's <see cref="IngesterMemory"/> as its
/// <see cref="IPushMemoryBudget"/>, as the monolithic server does (pushes refused before their body is read).
/// </summary>
public sealed class MemoryCapTests : IAsyncLifetime
{
    private const long Cap = 64 * 1024;
    private static readonly FakeTimeProvider s_time = new(DateTimeOffset.UtcNow);
    private TestCluster _cluster = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private WebApplication _budgetedApp = null!;
    private HttpClient _budgeted = null!;
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
        var memory = ((InProcessSiloHandle)_cluster.Primary!).SiloHost.Services.GetRequiredService<IngesterMemory>();
        _budgetedApp = await TestGateway.StartAsync(_cluster.Client, SiloConfigurator.Ingester, new GatewayOptions(), s_time,
            services => services.AddSingleton<IPushMemoryBudget>(memory));
        _budgeted = _budgetedApp.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _budgeted.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _budgetedApp.StopAsync();
        await _budgetedApp.DisposeAsync();
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
        Assert.True(RefusedCount(exposition, "append") >= 1, exposition);
    }

    [Fact]
    public async Task Pushes_in_flight_count_against_the_cap_and_are_refused_before_their_body_is_read()
    {
        var silo = ((InProcessSiloHandle)_cluster.Primary!).SiloHost.Services;
        var memory = silo.GetRequiredService<IngesterMemory>();
        var now = s_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        var refusedBefore = RefusedCount(await MetricsAsync(), "admission");

        // A push is admitted and gives back what it reserved once answered.
        Assert.Equal(HttpStatusCode.NoContent, (await PushAsync(_budgeted, "early", now, 3)).Status);
        Assert.Equal(0, memory.InFlightBytes);
        Assert.False(memory.OverLimit);

        // Other pushes in flight hold the rest of the cap: the unflushed data alone is far under it, yet a new push
        // is answered 503 with the retry-later text, and none of its entries are stored.
        var held = PushReservation.TryTake(memory, Cap);
        Assert.NotNull(held);
        var (status, text) = await PushAsync(_budgeted, "late", now, 3);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("ingester memory limit reached for user 'fake'", text, StringComparison.Ordinal);
        Assert.Contains($"{Cap} bytes of pushes in flight", text, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("late", now));
        Assert.Equal(refusedBefore + 1, RefusedCount(await MetricsAsync(), "admission"));

        // The pressure check counts pushes in flight towards its high-water mark: with them it flushes.
        Assert.True(memory.UnflushedBytes > 0);
        var flusher = silo.GetServices<IHostedService>().OfType<MemoryPressureFlusher>().Single();
        await flusher.RelieveAsync(CancellationToken.None);
        Assert.Equal(0, memory.UnflushedBytes);

        // Once they are answered, pushes are admitted again; nothing acknowledged is lost.
        held!.Dispose();
        Assert.Equal(HttpStatusCode.NoContent, (await PushAsync(_budgeted, "late", now, 3)).Status);
        Assert.Equal(3, await CountAsync("late", now));
        Assert.Equal(3, await CountAsync("early", now));
        Assert.Equal(0, memory.InFlightBytes);
    }

    private async Task<string> MetricsAsync()
    {
        using var metrics = await _http.GetAsync("/metrics");
        return await metrics.Content.ReadAsStringAsync();
    }

    /// <summary><c>loki_distributor_push_requests_refused_total</c> of the test tenant at one stage (0 when absent).</summary>
    private static double RefusedCount(string exposition, string stage)
    {
        var prefix = $"loki_distributor_push_requests_refused_total{{reason=\"ingester_memory_limit\",stage=\"{stage}\",tenant=\"fake\"}} ";
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<(HttpStatusCode Status, string Text)> PushAsync(string app, long now, int lines) => PushAsync(_http, app, now, lines);

    private static async Task<(HttpStatusCode Status, string Text)> PushAsync(HttpClient http, string app, long now, int lines)
    {
        var line = new string('x', 1000);
        var values = string.Join(",", Enumerable.Range(0, lines).Select(i => $"[\"{now + i}\",\"{i} {line}\"]"));
        using var response = await http.PostAsync("/loki/api/v1/push",
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
