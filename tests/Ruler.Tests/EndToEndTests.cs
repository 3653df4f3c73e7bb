using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>
/// A real Alertmanager and a real Prometheus (Debian's packages, started by <c>scripts/alertmanager.sh</c> and
/// <c>scripts/prometheus.sh</c>; started here through the same scripts, and stopped again, when the test command did not).
/// </summary>
public sealed class PromServices
{
    private readonly List<string> _started = [];

    public string AlertmanagerUrl { get; private set; } = "";
    public string PrometheusUrl { get; private set; } = "";
    public HttpClient Alertmanager { get; private set; } = null!;
    public HttpClient Prometheus { get; private set; } = null!;

    public async Task StartAsync()
    {
        AlertmanagerUrl = await ServiceUrlAsync("alertmanager");
        PrometheusUrl = await ServiceUrlAsync("prometheus");
        Alertmanager = new HttpClient { BaseAddress = new Uri(AlertmanagerUrl) };
        Prometheus = new HttpClient { BaseAddress = new Uri(PrometheusUrl) };
    }

    public async Task StopAsync()
    {
        Alertmanager?.Dispose();
        Prometheus?.Dispose();
        foreach (var name in _started)
        {
            await RunScriptAsync(name, "stop");
        }
    }

    private async Task<string> ServiceUrlAsync(string name)
    {
        var file = Path.Combine(RepoRoot(), ".ci", "tmp", name + ".url");
        if (File.Exists(file) && await ReadyAsync(File.ReadAllText(file).Trim()))
        {
            return File.ReadAllText(file).Trim();
        }
        await RunScriptAsync(name, "start");
        _started.Add(name);
        return File.ReadAllText(file).Trim();
    }

    private static async Task<bool> ReadyAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return (await http.GetAsync(url + "/-/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task RunScriptAsync(string name, string verb)
    {
        var script = Path.Combine(RepoRoot(), "scripts", name + ".sh");
        using var process = Process.Start(new ProcessStartInfo(script, verb) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"scripts/{name}.sh {verb} failed: {output}");
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Loki.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

/// <summary>A server whose ruler sends to the real Alertmanager and Prometheus, with a 1s evaluation interval so the tests take seconds.</summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    public PromServices Services { get; } = new();
    public LokiTestServer Server { get; private set; } = null!;
    public HttpClient Alertmanager => Services.Alertmanager;
    public HttpClient Prometheus => Services.Prometheus;

    public async Task InitializeAsync()
    {
        await Services.StartAsync();
        Server = await LokiTestServer.StartAsync($"""
            auth_enabled: true
            ruler:
              evaluation_interval: 1s
              poll_interval: 1s
              resend_delay: 1s
              external_url: http://loki.test
              external_labels:
                cluster: e2e
              alertmanager_url: {Services.AlertmanagerUrl}
              remote_write:
                enabled: true
                client:
                  url: {Services.PrometheusUrl}/api/v1/write
            """);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Services.StopAsync();
    }
}

/// <summary>
/// Test classes that use <see cref="PromServices"/> run one after the other: a class that had to start Alertmanager and
/// Prometheus itself stops them when it is done, which must not pull them from under another class.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PromServicesCollection
{
    public const string Name = "prom-services";
}

/// <summary>Alerts reach Alertmanager's v2 API and resolve; recording rules reach Prometheus by remote write.</summary>
[Collection(PromServicesCollection.Name)]
public sealed class EndToEndTests(EndToEndFixture fixture) : IClassFixture<EndToEndFixture>
{
    private LokiTestServer Server => fixture.Server;

    [Fact]
    public async Task ErrorAlert_FiresInAlertmanagerWithTemplatedLabels_ThenResolvesWhenErrorsStop()
    {
        var id = Guid.NewGuid().ToString("n")[..8];
        var tenant = "e2e-" + id;
        var alertName = "LogErrors_" + id;
        var rule = $$$"""
            name: errors
            interval: 1s
            rules:
              - alert: {{{alertName}}}
                expr: sum(count_over_time({app="x"} |= "error" [1m])) > 5
                for: 2s
                labels:
                  severity: page
                  tenant: "{{ $externalLabels.cluster }}-{{{id}}}"
                annotations:
                  summary: "{{ $value }} errors in the last minute"
                  pretty: "{{ humanize $value }}/min"
            """;
        // The errors are 45 s old: they leave the [1m] window 15 s from now, and the alert resolves.
        var errorsAt = TestClock.NowNs - 45_000_000_000L;
        await Server.PushOkAsync("""{"app":"x"}""", Enumerable.Range(0, 8).Select(i => (errorsAt + i, $"level=error msg=\"boom {i}\"")), tenant);
        await Server.PushOkAsync("""{"app":"x"}""", Enumerable.Range(0, 20).Select(i => (errorsAt + 100 + i, "level=info msg=fine")), tenant);
        var posted = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/e2e", rule, tenant)).Status);

        var alert = await Eventually.HoldsAsync(() => AlertAsync(alertName), a => a is not null, TimeSpan.FromSeconds(12), $"{alertName} in Alertmanager");
        var labels = alert!.Value.GetProperty("labels");
        Assert.Equal(alertName, labels.GetProperty("alertname").GetString());
        Assert.Equal("page", labels.GetProperty("severity").GetString());
        Assert.Equal($"e2e-{id}", labels.GetProperty("tenant").GetString());
        Assert.Equal("e2e", labels.GetProperty("cluster").GetString());
        var annotations = alert.Value.GetProperty("annotations");
        Assert.Equal("8 errors in the last minute", annotations.GetProperty("summary").GetString());
        Assert.Equal("8/min", annotations.GetProperty("pretty").GetString());
        Assert.StartsWith("http://loki.test/explore?left=", alert.Value.GetProperty("generatorURL").GetString(), StringComparison.Ordinal);
        // for: 2s held it pending: it started firing at least 2 s after the first evaluation could see it.
        var startsAt = alert.Value.GetProperty("startsAt").GetDateTimeOffset();
        Assert.True(startsAt - posted >= TimeSpan.FromSeconds(1.9), $"fired at {startsAt:O}, rule posted at {posted:O}");

        // When the errors leave the window the rule sends the resolution (endsAt = resolution time) and Alertmanager drops it.
        await Eventually.HoldsAsync(() => AlertAsync(alertName), a => a is null || a.Value.GetProperty("endsAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow,
            TimeSpan.FromSeconds(40), $"{alertName} resolved in Alertmanager");
    }

    [Fact]
    public async Task RecordingRule_SeriesAppearsInPrometheus_WithValueAndLabels()
    {
        var id = Guid.NewGuid().ToString("n")[..8];
        var tenant = "rec-" + id;
        var metric = $"e2e:lines:count_{id}";
        var rule = $$$"""
            name: recording
            interval: 1s
            rules:
              - record: {{{metric}}}
                expr: sum by (app) (count_over_time({app="rec"}[1m]))
                labels:
                  source: loki
            """;
        await Server.PushOkAsync("""{"app":"rec"}""", Enumerable.Range(0, 7).Select(i => (TestClock.NowNs - 5_000_000_000L + i, $"line {i}")), tenant);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/rec", rule, tenant)).Status);

        var sample = await Eventually.HoldsAsync(async () =>
        {
            var body = await fixture.Prometheus.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(metric)}");
            var result = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 1 ? result[0].Clone() : (JsonElement?)null;
        }, s => s is not null, TimeSpan.FromSeconds(15), $"{metric} in Prometheus");
        var m = sample!.Value.GetProperty("metric");
        Assert.Equal(metric, m.GetProperty("__name__").GetString());
        Assert.Equal("rec", m.GetProperty("app").GetString());
        Assert.Equal("loki", m.GetProperty("source").GetString());
        Assert.Equal(3, m.EnumerateObject().Count());
        Assert.Equal("7", sample.Value.GetProperty("value")[1].GetString());
    }

    private async Task<JsonElement?> AlertAsync(string alertName)
    {
        var body = await fixture.Alertmanager.GetStringAsync($"/api/v2/alerts?filter={Uri.EscapeDataString($"alertname=\"{alertName}\"")}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetArrayLength() == 0 ? null : doc.RootElement[0].Clone();
    }
}
