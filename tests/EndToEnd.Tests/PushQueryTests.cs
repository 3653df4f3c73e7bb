using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>The binary as a user runs it: push over HTTP, query back, survive kill -9 and SIGTERM.</summary>
public sealed class PushQueryTests
{

    internal static StringContent JsonPush(string streamJson, IEnumerable<(long Ts, string Line)> entries)
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{JsonSerializer.Serialize(e.Line)}]"));
        return new StringContent($"{{\"streams\":[{{\"stream\":{streamJson},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json");
    }

    internal static async Task<List<(long Ts, string Line)>> QueryRangeAsync(HttpClient client, string query, long startNs, long endNs, int limit = 1000, string direction = "forward")
    {
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={startNs}&end={endNs}&limit={limit}&direction={direction}";
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"query_range answered {(int)response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("success", doc.RootElement.GetProperty("status").GetString());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal("streams", data.GetProperty("resultType").GetString());
        var result = new List<(long, string)>();
        foreach (var stream in data.GetProperty("result").EnumerateArray())
        {
            foreach (var value in stream.GetProperty("values").EnumerateArray())
            {
                result.Add((long.Parse(value[0].GetString()!), value[1].GetString()!));
            }
        }
        return direction == "forward" ? [.. result.OrderBy(r => r.Item1)] : [.. result.OrderByDescending(r => r.Item1)];
    }

    [Fact]
    public async Task Push_Json_ThenQueryRange_ReturnsTheLines()
    {
        await using var loki = await LokiProcess.StartAsync();
        var now = TestClock.NowNs;
        var entries = Enumerable.Range(0, 20).Select(i => (now + i * 1000L, $"level=info msg=\"hello {i}\"")).ToList();

        using var push = await loki.Client.PostAsync("/loki/api/v1/push", JsonPush("{\"app\":\"e2e\",\"env\":\"test\"}", entries));
        Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);

        var read = await QueryRangeAsync(loki.Client, "{app=\"e2e\"}", now - 1_000_000_000, now + 1_000_000_000);
        Assert.Equal(entries, read);
        Assert.True(Directory.EnumerateFileSystemEntries(loki.DataDir).Any(), "expected data under the path prefix");
    }

    [Fact]
    public async Task KillDashNine_BeforeFlush_EveryAcknowledgedEntryIsReturnedOnceAfterRestart()
    {
        await using var loki = await LokiProcess.StartAsync();
        var now = TestClock.NowNs;
        var expected = new List<(long, string)>();
        for (var batch = 0; batch < 10; batch++)
        {
            var entries = Enumerable.Range(0, 25).Select(i => (now + (batch * 25 + i) * 1000L, $"batch {batch} line {i}")).ToList();
            using var push = await loki.Client.PostAsync("/loki/api/v1/push", JsonPush($"{{\"app\":\"crash\",\"shard\":\"{batch % 3}\"}}", entries));
            Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
            expected.AddRange(entries);
        }

        await loki.KillAsync();
        await loki.RestartAsync();

        var read = await QueryRangeAsync(loki.Client, "{app=\"crash\"}", now - 1_000_000_000, now + 1_000_000_000);
        Assert.Equal(expected.OrderBy(e => e.Item1), read);
    }

    [Fact]
    public async Task Sigterm_ShutsDownCleanly_AndDataIsThereAfterRestart()
    {
        await using var loki = await LokiProcess.StartAsync();
        var now = TestClock.NowNs;
        var entries = Enumerable.Range(0, 10).Select(i => (now + i, $"term {i}")).ToList();
        using (var push = await loki.Client.PostAsync("/loki/api/v1/push", JsonPush("{\"app\":\"term\"}", entries)))
        {
            Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
        }

        Assert.Equal(0, await loki.TerminateAsync());
        Assert.Contains(Directory.EnumerateFiles(loki.DataDir, "*", SearchOption.AllDirectories), f => f.Contains("chunks"));

        await loki.RestartAsync();
        Assert.Equal(entries, await QueryRangeAsync(loki.Client, "{app=\"term\"}", now - 1_000_000_000, now + 1_000_000_000));
    }

    [Fact]
    public async Task Push_InvalidLabels_Answers400WithLokiText_AndStoresValidStreams()
    {
        await using var loki = await LokiProcess.StartAsync();
        var now = TestClock.NowNs;
        var body = $$"""
            {"streams":[
              {"stream":{"app":"ok"},"values":[["{{now}}","good line"]]},
              {"stream":{"0bad":"x"},"values":[["{{now}}","bad line"]]}
            ]}
            """;
        using var push = await loki.Client.PostAsync("/loki/api/v1/push", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await push.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, push.StatusCode);
        Assert.Contains("0bad", text);

        Assert.Equal([(now, "good line")], await QueryRangeAsync(loki.Client, "{app=\"ok\"}", now - 1_000_000_000, now + 1_000_000_000));
    }

    [Fact]
    public async Task BadConfigValue_FailsStartupWithClearError()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "ingester:\n  max_chunk_age: soon\n");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orleans-loki.dll"));
        info.ArgumentList.Add($"-config.file={config}");
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(config);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("config key 'ingester.max_chunk_age': 'soon' is not a duration", stderr);
    }
}
