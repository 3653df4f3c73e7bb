using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Compactor;
using Orleans.Loki.Silo;
using Orleans.Loki.Silo.Configuration;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Compactor.Tests;

/// <summary>
/// The whole server in this process (silo + HTTP API as the binary builds it) on free loopback ports with its own data
/// directory. The compactor and the delete API read <see cref="Clock"/>, a fake clock starting at the real now, so a
/// test moves past <c>retention_delete_delay</c> or the cancel period without waiting; ingestion keeps the real clock.
/// </summary>
public sealed class CompactorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CompactorServer(WebApplication app, string dataDir, int port, FakeTimeProvider clock)
    {
        _app = app;
        DataDir = dataDir;
        Clock = clock;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string DataDir { get; }
    public HttpClient Client { get; }
    public FakeTimeProvider Clock { get; }
    public IServiceProvider Services => _app.Services;
    public IObjectStore Store => Services.GetRequiredService<IObjectStore>();

    public static async Task<CompactorServer> StartAsync(string yaml, string? runtimeYaml = null, Action<IServiceCollection>? services = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "loki-compactor-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDir);
        var runtime = "";
        if (runtimeYaml is not null)
        {
            var runtimeFile = Path.Combine(dataDir, "runtime.yaml");
            await File.WriteAllTextAsync(runtimeFile, runtimeYaml);
            runtime = $"runtime_config:\n  file: {runtimeFile}\n";
        }
        var config = Path.Combine(dataDir, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            auth_enabled: true
            server:
              http_listen_address: 127.0.0.1
              log_level: warn
            cluster:
              silo_port: {FreePort()}
              gateway_port: {FreePort()}
            {runtime}{yaml}
            """);
        var port = FreePort();
        Assert.True(CommandLine.TryParse([$"-config.file={config}", $"-common.path-prefix={Path.Combine(dataDir, "data")}", $"-server.http-listen-port={port}"], out var flags, out var error), error);
        var settings = ConfigLoader.Load(flags);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = await LokiHost.BuildAsync(settings, b =>
        {
            b.Services.AddKeyedSingleton<TimeProvider>(CompactorServices.TimeKey, clock);
            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        return new CompactorServer(app, dataDir, port, clock);
    }

    public static long NowNs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    public static long HoursAgoNs(double hours) => NowNs - (long)(hours * 3600e9);

    public ICompactorGrain Compactor => Services.GetRequiredService<IGrainFactory>().GetGrain<ICompactorGrain>(0);

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string url, HttpContent? content = null, string tenant = "fake")
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("X-Scope-OrgID", tenant);
        var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>Pushes the entries and flushes every stream, so they sit in chunks and the index.</summary>
    public async Task PushAndFlushAsync(string streamJson, IEnumerable<(long Ts, string Line)> entries, string tenant = "fake")
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{JsonSerializer.Serialize(e.Line)}]"));
        var body = new StringContent($"{{\"streams\":[{{\"stream\":{streamJson},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json");
        var (status, text, _) = await SendAsync(HttpMethod.Post, "/loki/api/v1/push", body, tenant);
        Assert.True(status == HttpStatusCode.NoContent, $"push answered {(int)status}: {text}");
        var (flushed, flushText, _) = await SendAsync(HttpMethod.Post, "/flush", null, tenant);
        Assert.True(flushed == HttpStatusCode.NoContent, $"flush answered {(int)flushed}: {flushText}");
    }

    /// <summary>Every line a log query returns for the tenant, in time order.</summary>
    public async Task<List<string>> LinesAsync(string query, long startNs, long endNs, string tenant = "fake")
    {
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={startNs}&end={endNs}&limit=5000&direction=forward";
        var (status, body, _) = await SendAsync(HttpMethod.Get, url, tenant: tenant);
        Assert.True(status == HttpStatusCode.OK, $"query_range answered {(int)status}: {body}");
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => (Ts: long.Parse(v[0].GetString()!), Line: v[1].GetString()!)))
            .OrderBy(v => v.Ts).Select(v => v.Line)];
    }

    /// <summary>The value of a metric query (<c>count_over_time</c> summed) over the range, as query_range's last point.</summary>
    public async Task<double> CountAsync(string selector, long startNs, long endNs, string tenant = "fake")
    {
        var seconds = Math.Max(1, (endNs - startNs) / 1_000_000_000);
        var query = $"sum(count_over_time({selector}[{seconds}s]))";
        var url = $"/loki/api/v1/query?query={Uri.EscapeDataString(query)}&time={endNs}";
        var (status, body, _) = await SendAsync(HttpMethod.Get, url, tenant: tenant);
        Assert.True(status == HttpStatusCode.OK, $"query answered {(int)status}: {body}");
        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The JSON answer of a GET.</summary>
    public async Task<JsonElement> GetJsonAsync(string url, string tenant = "fake")
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, url, tenant: tenant);
        Assert.True(status == HttpStatusCode.OK, $"GET {url} answered {(int)status}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Keys of every object in the store under <paramref name="prefix"/>.</summary>
    public async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var info in Store.ListAsync(prefix))
        {
            keys.Add(info.Key);
        }
        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: temp files
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
