using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orleans.Loki.Silo;
using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>
/// The whole server (silo, HTTP API and ruler, as the binary builds it) in this process, on free loopback ports with
/// its own data directory, configured from YAML the way the binary reads it.
/// </summary>
public sealed class RulerServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RulerServer(WebApplication app, string dataDir, int port)
    {
        _app = app;
        DataDir = dataDir;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string DataDir { get; }
    public HttpClient Client { get; }

    public static async Task<RulerServer> StartAsync(string yaml = "", string? dataDir = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "loki-ruler-" + Guid.NewGuid().ToString("n"));
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
        var app = await LokiHost.BuildAsync(settings);
        await app.StartAsync();
        return new RulerServer(app, dataDir, port);
    }

    public static long NowNs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    public async Task<(HttpStatusCode Status, string Body, string? ContentType)> SendAsync(HttpMethod method, string url, string? body = null, string? tenant = null, string? authorization = null, string contentType = "application/yaml")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }
        if (tenant is not null)
        {
            request.Headers.Add("X-Scope-OrgID", tenant);
        }
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Pushes lines (JSON push) for the tenant; asserts 204.</summary>
    public async Task PushAsync(string streamJson, IEnumerable<(long Ts, string Line)> entries, string? tenant = null, string? authorization = null)
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{JsonSerializer.Serialize(e.Line)}]"));
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/loki/api/v1/push", $"{{\"streams\":[{{\"stream\":{streamJson},\"values\":[{values}]}}]}}", tenant, authorization, "application/json");
        Assert.True(status == HttpStatusCode.NoContent, $"push answered {(int)status}: {body}");
    }

    /// <summary>Polls until <paramref name="condition"/> holds (the rule evaluates on its own timer); fails with <paramref name="what"/> and the last value.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = await probe();
        while (!condition(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what} not reached within {timeout.TotalSeconds}s; last: {last}");
            }
            await Task.Delay(200);
            last = await probe();
        }
        return last;
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
