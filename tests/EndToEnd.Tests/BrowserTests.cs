using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>
/// The web UI in headless chromium (Debian's, driven by playwright-core from tools/browser; scripts/browser.sh
/// installs both) against the real binary: what the page shows is compared with the data pushed.
/// Screenshots go to .ci/tmp/screenshots.
/// </summary>
public sealed class BrowserTests(BrowserTests.Server server, ITestOutputHelper output) : IClassFixture<BrowserTests.Server>
{
    private const long MinuteNs = 60_000_000_000L;

    [Fact]
    public async Task Page_is_served_from_the_binary_and_paints()
    {
        var html = await server.Loki.Client.GetStringAsync("/");
        Assert.Contains("<script type=\"module\" src=\"/ui/js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Equal(html, await server.Loki.Client.GetStringAsync("/ui/"));
        foreach (var asset in new[] { "/ui/app.css", "/ui/js/app.js", "/ui/js/api.js", "/ui/js/logql.js", "/ui/js/charts.js", "/ui/js/logview.js", "/ui/js/time.js" })
        {
            using var response = await server.Loki.Client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, asset);
        }
        using (var missing = await server.Loki.Client.GetAsync("/ui/nope.js"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        var result = await RunAsync("paint", new JsonObject());
        var paint = result["firstPaintMs"]!.GetValue<double>();
        output.WriteLine($"first contentful paint: {paint:F0} ms, navigation {result["navigationMs"]} ms");
        Assert.True(paint > 0);
    }

    [Fact]
    public async Task Log_query_shows_exactly_the_pushed_lines_with_histogram_counts_and_details()
    {
        var result = await RunAsync("logs", new JsonObject
        {
            ["query"] = "{app=\"ui\"} | logfmt",
            ["from"] = Ms(server.BaseNs - MinuteNs),
            ["to"] = Ms(server.BaseNs + (60 * MinuteNs)),
        }, "logs");
        Assert.Equal("", result["errorBox"]!.GetValue<string>());
        // Newest first, every pushed line, nothing else.
        var expected = server.Lines.OrderByDescending(l => l.Ts).Select(l => l.Line).ToList();
        Assert.Equal(expected, Strings(result["lines"]));

        var bars = result["bars"]!.AsArray();
        Assert.Equal(server.Lines.Count, bars.Sum(b => b!["count"]!.GetValue<int>()));
        var stepMs = result["stepMs"]!.GetValue<long>();
        Assert.True(stepMs > 0);
        foreach (var bar in bars)
        {
            var endMs = bar!["ts"]!.GetValue<long>();
            var inBucket = server.Lines.Where(l => l.Ts / 1_000_000 > endMs - stepMs && l.Ts / 1_000_000 <= endMs).ToList();
            Assert.Equal(inBucket.Count, bar["count"]!.GetValue<int>());
            Assert.Equal(inBucket.Count(l => l.Line.StartsWith("level=error", StringComparison.Ordinal)), bar["levels"]!["error"]?.GetValue<int>() ?? 0);
        }

        // The newest line expanded: its stream labels, structured metadata and parsed fields.
        var newest = server.Lines.MaxBy(l => l.Ts);
        var details = result["details"]!;
        Assert.Equal("ui", details["labels"]!["app"]!.GetValue<string>());
        Assert.Equal(newest.TraceId, details["metadata"]!["trace_id"]!.GetValue<string>());
        Assert.Equal(newest.Line.Split("msg=")[1], details["parsed"]!["msg"]!.GetValue<string>());
        Assert.Contains("q=%7Bapp%3D%22ui%22%7D+%7C+logfmt", result["url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metric_query_draws_one_series_per_label_set()
    {
        var result = await RunAsync("metric", new JsonObject
        {
            ["query"] = "sum by (level) (count_over_time({app=\"ui\"} | logfmt [1m]))",
            ["from"] = Ms(server.BaseNs - MinuteNs),
            ["to"] = Ms(server.BaseNs + (60 * MinuteNs)),
        }, "metric");
        Assert.Equal(["{level=\"error\"}", "{level=\"info\"}"], Strings(result["series"]).Order(StringComparer.Ordinal));
        Assert.Equal(2, result["legend"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_line_pushed_after_the_live_tail_started_appears()
    {
        var line = "level=info msg=live-" + Guid.NewGuid().ToString("n");
        var result = await RunAsync("tail", new JsonObject
        {
            ["query"] = "{app=\"ui-tail\"}",
            ["labels"] = new JsonObject { ["app"] = "ui-tail" },
            ["line"] = line,
        }, "tail");
        Assert.Equal([line], Strings(result["lines"]));
    }

    [Fact]
    public async Task Download_exports_all_20000_lines_in_order()
    {
        var result = await RunAsync("export", new JsonObject
        {
            ["query"] = "{app=\"ui-bulk\"}",
            ["from"] = Ms(server.BulkBaseNs - MinuteNs),
            ["to"] = Ms(server.BulkBaseNs + (60 * MinuteNs)),
            ["direction"] = "forward",
            ["timeoutMs"] = 60000,
        });
        Assert.Equal(Server.BulkCount, result["count"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(0, Server.BulkCount).Select(Server.BulkLine), Strings(result["lines"]));
    }

    [Fact]
    public async Task Thousands_of_lines_stay_a_virtual_list()
    {
        var result = await RunAsync("many", new JsonObject
        {
            ["query"] = "{app=\"ui-bulk\"}",
            ["from"] = Ms(server.BulkBaseNs - MinuteNs),
            ["to"] = Ms(server.BulkBaseNs + (60 * MinuteNs)),
            ["limit"] = 5000,
            ["timeoutMs"] = 60000,
        }, "many");
        Assert.Equal(5000, result["entries"]!.GetValue<int>());
        Assert.True(result["domRows"]!.GetValue<int>() < 200, $"{result["domRows"]} rows in the DOM");
        // Newest first: the 5000th newest is the last one.
        Assert.Equal(Server.BulkLine(Server.BulkCount - 5000), result["lastShown"]!.GetValue<string>());
        output.WriteLine($"scroll frames over 5000 lines: {result["frames"]}");
    }

    [Fact]
    public async Task A_bad_query_shows_the_servers_error_text()
    {
        const string query = "{app=\"ui\"} |= ";
        using var direct = await server.Loki.Client.GetAsync($"/loki/api/v1/query_range?query={Uri.EscapeDataString(query)}");
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        var text = (await direct.Content.ReadAsStringAsync()).Trim();

        var result = await RunAsync("error", new JsonObject { ["query"] = query }, "error");
        Assert.Equal(text, result["text"]!.GetValue<string>());
        Assert.NotEmpty(result["marked"]!.AsArray());
    }

    [Fact]
    public async Task Completion_offers_the_servers_label_names_and_values()
    {
        var result = await RunAsync("complete", new JsonObject
        {
            ["label"] = "app",
            ["from"] = Ms(server.BaseNs - MinuteNs),
            ["to"] = Ms(server.BaseNs + (60 * MinuteNs)),
        });
        Assert.Contains("app", Strings(result["names"]));
        Assert.Contains("ui", Strings(result["values"]));
        Assert.StartsWith("{app=\"", result["query"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<JsonNode> RunAsync(string scenario, JsonObject spec, string? screenshot = null)
    {
        spec["scenario"] = scenario;
        spec["base"] = $"http://127.0.0.1:{server.Loki.HttpPort}";
        if (screenshot is not null)
        {
            spec["screenshot"] = Path.Combine(Browser.ScreenshotDir, $"{screenshot}.png");
        }
        return await Browser.RunAsync(spec, output);
    }

    private static string Ms(long ns) => (ns / 1_000_000).ToString(CultureInfo.InvariantCulture);

    private static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    /// <summary>One server for the class, with the data every test reads.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public const int BulkCount = 20_000;

        public LokiProcess Loki { get; private set; } = null!;

        /// <summary>Minute-aligned, 30 minutes ago.</summary>
        public long BaseNs { get; private set; }

        public long BulkBaseNs { get; private set; }

        public List<(long Ts, string Line, string TraceId)> Lines { get; } = [];

        public static string BulkLine(int i) => $"bulk line {i:D6} level=info";

        public async Task InitializeAsync()
        {
            Loki = await LokiProcess.StartAsync();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            BaseNs = (now / MinuteNs * MinuteNs) - (30 * MinuteNs);
            for (var i = 0; i < 14; i++)
            {
                var ts = BaseNs + (i * 2 * MinuteNs) + (i * 1_000_000L);
                var level = i % 3 == 0 ? "error" : "info";
                Lines.Add((ts, $"level={level} msg=request-{i}", $"trace-{i}"));
            }
            var values = string.Join(",", Lines.Select(l => $"[\"{l.Ts}\",{JsonSerializer.Serialize(l.Line)},{{\"trace_id\":\"{l.TraceId}\"}}]"));
            await PushAsync($"{{\"streams\":[{{\"stream\":{{\"app\":\"ui\",\"env\":\"test\"}},\"values\":[{values}]}}]}}");

            BulkBaseNs = BaseNs + MinuteNs;
            for (var batch = 0; batch < BulkCount; batch += 5000)
            {
                var bulk = string.Join(",", Enumerable.Range(batch, 5000).Select(i => $"[\"{BulkBaseNs + (i * 1_000_000L)}\",\"{BulkLine(i)}\"]"));
                await PushAsync($"{{\"streams\":[{{\"stream\":{{\"app\":\"ui-bulk\"}},\"values\":[{bulk}]}}]}}");
            }
        }

        private async Task PushAsync(string json)
        {
            using var response = await Loki.Client.PostAsync("/loki/api/v1/push", new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        public async Task DisposeAsync() => await Loki.DisposeAsync();
    }
}

/// <summary>Runs tools/browser/ui.mjs (node + playwright-core + Debian's chromium) and returns its JSON answer.</summary>
internal static class Browser
{
    public static string RepoRoot { get; } = FindRoot();

    public static string ScreenshotDir
    {
        get
        {
            var dir = Path.Combine(RepoRoot, ".ci", "tmp", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static async Task<JsonNode> RunAsync(JsonObject spec, ITestOutputHelper output)
    {
        var tools = Path.Combine(RepoRoot, "tools", "browser");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "playwright-core")), "playwright-core is not installed: run scripts/browser.sh");
        var info = new ProcessStartInfo("node") { WorkingDirectory = tools, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("ui.mjs");
        info.ArgumentList.Add(spec.ToJsonString());
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var err = await stderr;
        Assert.True(lines.Length > 0, $"the browser script printed nothing; stderr:\n{err}");
        var result = JsonNode.Parse(lines[^1])!;
        if (spec["screenshot"] is { } shot)
        {
            output.WriteLine($"screenshot: {shot}");
        }
        Assert.True(result["ok"]!.GetValue<bool>(), $"scenario {spec["scenario"]} failed: {result["error"]}\n{err}");
        Assert.Empty(result["errors"]!.AsArray());
        return result;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tools", "browser", "ui.mjs")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("tools/browser/ui.mjs not found above " + AppContext.BaseDirectory);
    }
}
