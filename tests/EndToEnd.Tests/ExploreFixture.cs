using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>
/// One server (auth enabled) shared by the explore-endpoint tests, with data of two tenants pushed once: team-a has an
/// <c>api</c> stream of logfmt lines and a <c>web</c> stream of JSON lines, team-b an <c>api</c> stream of its own.
/// </summary>
public sealed class ExploreFixture : IAsyncLifetime
{
    public const string TenantA = "team-a";
    public const string TenantB = "team-b";

    public LokiProcess Loki { get; private set; } = null!;

    public long StartNs { get; private set; }

    public long EndNs { get; private set; }

    public List<string> ApiLines { get; } = [];

    public List<string> WebLines { get; } = [];

    public List<string> SecretLines { get; } = [];

    public async Task InitializeAsync()
    {
        Loki = await LokiProcess.StartAsync("auth_enabled: true");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 - 60_000_000_000L;
        StartNs = now - 1_000_000_000;
        EndNs = now + 60_000_000_000;
        int[] statuses = [200, 404, 500];
        for (var i = 0; i < 10; i++)
        {
            ApiLines.Add($"level=info msg=\"request done\" status={statuses[i % 3]} duration={i + 1}ms path=/api/users/{i}");
        }
        for (var i = 0; i < 5; i++)
        {
            WebLines.Add($"{{\"level\":\"error\",\"msg\":\"db failed\",\"user\":{{\"id\":\"u{i}\"}}}}");
        }
        for (var i = 0; i < 3; i++)
        {
            SecretLines.Add($"secret-b line {i}");
        }
        await PushAsync(TenantA, "{\"app\":\"api\",\"env\":\"prod\"}", now, ApiLines);
        await PushAsync(TenantA, "{\"app\":\"web\",\"env\":\"dev\"}", now + 20_000_000_000, WebLines);
        await PushAsync(TenantB, "{\"app\":\"api\",\"env\":\"prod\",\"team\":\"b\"}", now, SecretLines);
    }

    private async Task PushAsync(string tenant, string stream, long firstNs, List<string> lines)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push")
        {
            Content = PushQueryTests.JsonPush(stream, lines.Select((l, i) => (firstNs + i * 1_000_000_000L, l))),
        };
        request.Headers.Add("X-Scope-OrgID", tenant);
        using var response = await Loki.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>GET with the tenant header and the fixture's range; returns status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string tenant, string path, params (string Name, string Value)[] parameters)
    {
        var query = string.Join("&", parameters.Append(("start", StartNs.ToString())).Append(("end", EndNs.ToString()))
            .Where(p => p.Item2 is not null)
            .GroupBy(p => p.Item1).Select(g => g.First())
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?{query}");
        request.Headers.Add("X-Scope-OrgID", tenant);
        using var response = await Loki.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> GetJsonAsync(string tenant, string path, params (string Name, string Value)[] parameters)
    {
        var (status, body) = await GetAsync(tenant, path, parameters);
        Assert.True(status == HttpStatusCode.OK, $"{path} answered {(int)status}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task DisposeAsync() => await Loki.DisposeAsync();
}
