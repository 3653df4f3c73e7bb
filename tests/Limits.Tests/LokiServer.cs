using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orleans.Loki.Silo;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Limits.Tests;

/// <summary>
/// The whole server (silo + HTTP API, as the binary builds it) in this process, on free loopback ports with its own
/// data directory, configured from YAML the way the binary reads it.
/// </summary>
public sealed class LokiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LokiServer(WebApplication app, string dataDir, int port)
    {
        _app = app;
        DataDir = dataDir;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string DataDir { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<LokiServer> StartAsync(string yaml = "", Action<WebApplicationBuilder>? configure = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "loki-limits-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDir);
        var config = Path.Combine(dataDir, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            server:
              http_listen_address: 127.0.0.1
              log_level: warn
            cluster:
              silo_port: {FreePort()}
              gateway_port: {FreePort()}
            {yaml}
            """);
        var port = FreePort();
        Assert.True(CommandLine.TryParse([$"-config.file={config}", $"-common.path-prefix={Path.Combine(dataDir, "data")}", $"-server.http-listen-port={port}"], out var flags, out var error), error);
        var settings = ConfigLoader.Load(flags);
        var app = await LokiHost.BuildAsync(settings, configure);
        await app.StartAsync();
        return new LokiServer(app, dataDir, port);
    }

    /// <summary>
    /// Starts from a config file as it is (Loki's own examples): only the listen address and ports, the silo ports and
    /// the data directory are set from outside, as flags and test settings.
    /// </summary>
    public static async Task<LokiServer> StartFromFileAsync(string configFile)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "loki-limits-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDir);
        var port = FreePort();
        var settings = LoadFile(configFile, dataDir, port);
        settings.Cluster.SiloPort = FreePort();
        settings.Cluster.GatewayPort = FreePort();
        settings.LogLevel = "warn";
        var app = await LokiHost.BuildAsync(settings);
        await app.StartAsync();
        return new LokiServer(app, dataDir, port);
    }

    /// <summary>Reads a config file as the binary does, with <c>-config.expand-env=true</c>.</summary>
    public static LokiSettings LoadFile(string configFile, string dataDir, int port)
    {
        Assert.True(CommandLine.TryParse([$"-config.file={configFile}", "-config.expand-env=true", $"-common.path-prefix={Path.Combine(dataDir, "data")}",
            $"-server.http-listen-port={port}", "-server.http-listen-address=127.0.0.1"], out var flags, out var error), error);
        return ConfigLoader.Load(flags);
    }

    public static long NowNs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    public static StringContent JsonPush(string streamJson, IEnumerable<(long Ts, string Line)> entries)
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{JsonSerializer.Serialize(e.Line)}]"));
        return new StringContent($"{{\"streams\":[{{\"stream\":{streamJson},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json");
    }

    /// <summary>Sends a request with optional tenant and Authorization headers.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string url, HttpContent? content = null, string? tenant = null, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (tenant is not null)
        {
            request.Headers.Add("X-Scope-OrgID", tenant);
        }
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PushAsync(string streamJson, IEnumerable<(long Ts, string Line)> entries, string? tenant = null, string? authorization = null) =>
        SendAsync(HttpMethod.Post, "/loki/api/v1/push", JsonPush(streamJson, entries), tenant, authorization);

    /// <summary>Every line a log query returns for the tenant, in time order.</summary>
    public async Task<List<string>> QueryLinesAsync(string query, long startNs, long endNs, string? tenant = null, int limit = 5000)
    {
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={startNs}&end={endNs}&limit={limit}&direction=forward";
        var (status, body, response) = await SendAsync(HttpMethod.Get, url, tenant: tenant);
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, $"query_range answered {(int)status}: {body}");
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => (Ts: long.Parse(v[0].GetString()!), Line: v[1].GetString()!)))
            .OrderBy(v => v.Ts).Select(v => v.Line)];
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

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
