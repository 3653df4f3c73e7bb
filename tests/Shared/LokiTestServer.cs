using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orleans.Loki.Silo;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Testing;

/// <summary>
/// The whole server (silo, HTTP API and ruler, as the binary builds it) in this process, with its own data directory,
/// configured from YAML the way the binary reads it. HTTP binds port 0 and the chosen port is read back, so parallel
/// test runs never race for it.
/// </summary>
public sealed class LokiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LokiTestServer(WebApplication app, string dataDir, Uri address)
    {
        _app = app;
        DataDir = dataDir;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The directory holding the config file and, under <c>data</c>, everything the server stores.</summary>
    public string DataDir { get; }

    /// <summary>Where the HTTP API listens.</summary>
    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Writes the config (<paramref name="yaml"/> appended to the loopback defaults) and starts the server.</summary>
    public static async Task<LokiTestServer> StartAsync(string yaml = "", string? dataDir = null, Action<WebApplicationBuilder>? configure = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "loki-test-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDir);
        var config = Path.Combine(dataDir, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            server:
              http_listen_address: 127.0.0.1
              log_level: warn
            cluster:
              silo_port: {Ports.Free()}
              gateway_port: {Ports.Free()}
            {yaml}
            """);
        Assert.True(CommandLine.TryParse([$"-config.file={config}", $"-common.path-prefix={Path.Combine(dataDir, "data")}", "-server.http-listen-port=0"], out var flags, out var error), error);
        var settings = ConfigLoader.Load(flags);
        var app = await LokiHost.BuildAsync(settings, configure);
        await app.StartAsync();
        var address = new Uri(app.Urls.Single());
        return new LokiTestServer(app, dataDir, address);
    }

    /// <summary>
    /// Starts from a config file as it is (Loki's own examples): only the listen address and port (0), the silo ports and
    /// the data directory are set from outside, as flags and test settings.
    /// </summary>
    public static async Task<LokiTestServer> StartFromFileAsync(string configFile)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "loki-test-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDir);
        var settings = LoadFile(configFile, dataDir, 0);
        settings.Cluster.SiloPort = Ports.Free();
        settings.Cluster.GatewayPort = Ports.Free();
        settings.LogLevel = "warn";
        var app = await LokiHost.BuildAsync(settings);
        await app.StartAsync();
        return new LokiTestServer(app, dataDir, new Uri(app.Urls.Single()));
    }

    /// <summary>Reads a config file as the binary does, with <c>-config.expand-env=true</c>.</summary>
    public static LokiSettings LoadFile(string configFile, string dataDir, int port)
    {
        Assert.True(CommandLine.TryParse([$"-config.file={configFile}", "-config.expand-env=true", $"-common.path-prefix={Path.Combine(dataDir, "data")}",
            $"-server.http-listen-port={port}", "-server.http-listen-address=127.0.0.1"], out var flags, out var error), error);
        return ConfigLoader.Load(flags);
    }

    /// <summary>A JSON push body with one stream.</summary>
    public static StringContent JsonPush(string streamJson, IEnumerable<(long Ts, string Line)> entries)
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{JsonSerializer.Serialize(e.Line)}]"));
        return new StringContent($"{{\"streams\":[{{\"stream\":{streamJson},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json");
    }

    /// <summary>Sends a request with optional tenant and Authorization headers; the caller disposes the response.</summary>
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

    /// <summary>Sends a text body (YAML by default: the rules API); returns status, body and content type.</summary>
    public async Task<(HttpStatusCode Status, string Body, string? ContentType)> SendTextAsync(HttpMethod method, string url, string? body = null, string? tenant = null, string? authorization = null, string contentType = "application/yaml")
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, contentType);
        var (status, text, response) = await SendAsync(method, url, content, tenant, authorization);
        using (response)
        {
            return (status, text, response.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>Pushes lines (JSON push) for the tenant; returns the answer.</summary>
    public Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PushAsync(string streamJson, IEnumerable<(long Ts, string Line)> entries, string? tenant = null, string? authorization = null) =>
        SendAsync(HttpMethod.Post, "/loki/api/v1/push", JsonPush(streamJson, entries), tenant, authorization);

    /// <summary>Pushes lines (JSON push) for the tenant and asserts 204.</summary>
    public async Task PushOkAsync(string streamJson, IEnumerable<(long Ts, string Line)> entries, string? tenant = null, string? authorization = null)
    {
        var (status, body, response) = await PushAsync(streamJson, entries, tenant, authorization);
        response.Dispose();
        Assert.True(status == HttpStatusCode.NoContent, $"push answered {(int)status}: {body}");
    }

    /// <summary>Every line a log query returns for the tenant, in time order.</summary>
    public async Task<List<string>> QueryLinesAsync(string query, long startNs, long endNs, string? tenant = null, int limit = 5000)
    {
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={startNs}&end={endNs}&limit={limit}&direction=forward";
        var (status, body, response) = await SendAsync(HttpMethod.Get, url, tenant: tenant);
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, $"query_range answered {(int)status}: {body}");
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => (Ts: long.Parse(v[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture), Line: v[1].GetString()!)))
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
}
