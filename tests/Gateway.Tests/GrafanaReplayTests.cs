using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// Requests exactly as Grafana's Loki data source sends them (Explore log query, log-volume histogram, log context),
/// over the 3-silo cluster, with expectations computed from the pushed lines.
/// </summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class GrafanaReplayTests(GatewayClusterFixture fixture)
{
    private const int Lines = 30;
    private static readonly SemaphoreSlim s_pushOnce = new(1);
    private static long s_baseNs;

    /// <summary>Line i (0-based) is at base + i s; even lines are info, odd lines error.</summary>
    private async Task<long> PushAsync()
    {
        await s_pushOnce.WaitAsync();
        try
        {
            if (s_baseNs == 0)
            {
                var baseNs = ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000) - 10) * 60_000_000_000;
                var values = Enumerable.Range(0, Lines).Select(i =>
                    $"[\"{(baseNs + (i * 1_000_000_000L)).ToString(CultureInfo.InvariantCulture)}\",\"level={Level(i)} msg=line-{i:D2}\"]");
                var body = $$"""{"streams":[{"stream":{"job":"grafana-replay","pod":"p"},"values":[{{string.Join(",", values)}}]}]}""";
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await fixture.Http.PostAsync("/loki/api/v1/push", content);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                s_baseNs = baseNs;
            }
            return s_baseNs;
        }
        finally
        {
            s_pushOnce.Release();
        }
    }

    private static string Level(int i) => i % 2 == 0 ? "info" : "error";

    private async Task<JsonDocument> SendAsync(string pathAndQuery, bool categorize)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Add("X-Query-Tags", "Source=grafana");
        if (categorize)
        {
            request.Headers.Add("X-Loki-Response-Encoding-Flags", "categorize-labels");
        }
        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text);
    }

    private static List<string> Lines_(JsonDocument doc) =>
        [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => (Ts: long.Parse(v[0].GetString()!, CultureInfo.InvariantCulture), Line: v[1].GetString()!)))
            .OrderByDescending(e => e.Ts)
            .Select(e => e.Line)];

    [Fact]
    public async Task Explore_log_query_with_ns_times_ms_step_and_categorize_labels_returns_every_line_newest_first()
    {
        var baseNs = await PushAsync();
        var start = baseNs - 60_000_000_000;
        var end = baseNs + 120_000_000_000;
        var query = Uri.EscapeDataString("{job=\"grafana-replay\"}");
        using var doc = await SendAsync(
            $"/loki/api/v1/query_range?direction=backward&end={end}&limit=1000&query={query}&start={start}&step=1000ms", categorize: true);

        var data = doc.RootElement.GetProperty("data");
        Assert.Equal("streams", data.GetProperty("resultType").GetString());
        Assert.Equal("categorize-labels", Assert.Single(data.GetProperty("encodingFlags").EnumerateArray()).GetString());
        var streams = data.GetProperty("result").EnumerateArray().ToList();
        // detected_level is structured metadata: under categorize-labels the stream holds only the pushed labels.
        Assert.All(streams, s => Assert.Equal("""{"job":"grafana-replay","pod":"p","service_name":"grafana-replay"}""", s.GetProperty("stream").GetRawText()));
        var values = streams.SelectMany(s => s.GetProperty("values").EnumerateArray()).ToList();
        Assert.Equal(Lines, values.Count);
        Assert.All(values, v => Assert.Equal(3, v.GetArrayLength()));
        var byLine = values.ToDictionary(v => v[1].GetString()!, v => v[2].GetProperty("structuredMetadata").GetProperty("detected_level").GetString());
        for (var i = 0; i < Lines; i++)
        {
            Assert.Equal(Level(i), byLine[$"level={Level(i)} msg=line-{i:D2}"]);
        }
        var expected = Enumerable.Range(0, Lines).Reverse().Select(i => $"level={Level(i)} msg=line-{i:D2}").ToList();
        Assert.Equal(expected, Lines_(doc));
    }

    [Fact]
    public async Task Log_volume_histogram_counts_lines_per_detected_level_per_minute()
    {
        var baseNs = await PushAsync();
        var start = baseNs - 120_000_000_000;
        var end = baseNs + 180_000_000_000;
        var query = Uri.EscapeDataString("sum by (level, detected_level) (count_over_time({job=\"grafana-replay\"} | drop __error__ [1m]))");
        using var doc = await SendAsync($"/loki/api/v1/query_range?query={query}&start={start}&end={end}&step=60000ms", categorize: false);

        var data = doc.RootElement.GetProperty("data");
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        var series = data.GetProperty("result").EnumerateArray()
            .ToDictionary(s => s.GetProperty("metric").GetRawText(), s => s.GetProperty("values").EnumerateArray()
                .Select(v => (Ts: (long)Math.Round(v[0].GetDouble()), Count: int.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))).ToList());
        Assert.Equal(["""{"detected_level":"error"}""", """{"detected_level":"info"}"""], series.Keys.Order(StringComparer.Ordinal));
        foreach (var (metric, points) in series)
        {
            var level = metric.Contains("error", StringComparison.Ordinal) ? "error" : "info";
            // Each step t counts lines in (t-1m, t]; all 30 lines lie in [base, base+29s], so only the step at base+1m sees them all.
            var expected = new List<(long, int)>();
            for (var t = start; t <= end; t += 60_000_000_000)
            {
                var count = Enumerable.Range(0, Lines).Count(i => Level(i) == level && baseNs + (i * 1_000_000_000L) > t - 60_000_000_000 && baseNs + (i * 1_000_000_000L) <= t);
                if (count > 0)
                {
                    expected.Add((t / 1_000_000_000, count));
                }
            }
            Assert.Equal(expected, points);
        }
    }

    [Fact]
    public async Task Log_context_before_and_after_a_line_returns_its_neighbours_in_order()
    {
        var baseNs = await PushAsync();
        var at = baseNs + (15 * 1_000_000_000L);
        var query = Uri.EscapeDataString("{job=\"grafana-replay\",pod=\"p\"}");

        // Lines before: backward, end = the line's timestamp (exclusive), as Grafana asks for context.
        using var before = await SendAsync(
            $"/loki/api/v1/query_range?direction=backward&end={at}&limit=5&query={query}&start={at - 3_600_000_000_000}&step=1000ms", categorize: true);
        Assert.Equal(Enumerable.Range(10, 5).Reverse().Select(i => $"level={Level(i)} msg=line-{i:D2}"), Lines_(before));

        // Lines after: forward from the line's timestamp (inclusive).
        using var after = await SendAsync(
            $"/loki/api/v1/query_range?direction=forward&end={at + 3_600_000_000_000}&limit=5&query={query}&start={at}&step=1000ms", categorize: true);
        var forward = after.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => v[1].GetString()!)).ToList();
        Assert.Equal(Enumerable.Range(15, 5).Select(i => $"level={Level(i)} msg=line-{i:D2}"), forward);
    }
}
