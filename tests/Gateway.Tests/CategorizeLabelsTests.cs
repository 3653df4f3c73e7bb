using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Gateway.Tests;

/// <summary><c>X-Loki-Response-Encoding-Flags: categorize-labels</c> on log query results, in Loki's shape.</summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class CategorizeLabelsTests(GatewayClusterFixture fixture)
{
    private static readonly SemaphoreSlim s_pushOnce = new(1);
    private static long s_baseNs;

    private async Task<long> PushAsync()
    {
        await s_pushOnce.WaitAsync();
        try
        {
            if (s_baseNs == 0)
            {
                var baseNs = ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000) - 600) * 1_000_000_000;
                string Ts(int s) => (baseNs + (s * 1_000_000_000L)).ToString(CultureInfo.InvariantCulture);
                var body = $$"""
                {"streams":[{"stream":{"job":"categorize","pod":"a"},"values":[
                  ["{{Ts(1)}}","level=info msg=first"],
                  ["{{Ts(2)}}","level=error msg=second",{"trace_id":"t2"}],
                  ["{{Ts(3)}}","msg=third",{"trace_id":"t3","user":"u"}]]}]}
                """;
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

    private async Task<JsonDocument> QueryAsync(string query, string direction, bool categorize)
    {
        var baseNs = await PushAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/loki/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={baseNs}&end={baseNs + 10_000_000_000}&direction={direction}&limit=100");
        if (categorize)
        {
            request.Headers.Add("X-Loki-Response-Encoding-Flags", "categorize-labels");
        }
        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text);
    }

    [Fact]
    public async Task Categorized_values_carry_structured_metadata_and_parsed_labels_and_streams_hold_stream_labels_only()
    {
        var baseNs = await PushAsync();
        using var doc = await QueryAsync("{job=\"categorize\"} | logfmt | drop detected_level", "forward", categorize: true);
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal("""["categorize-labels"]""", data.GetProperty("encodingFlags").GetRawText());
        var result = data.GetProperty("result");
        Assert.Equal(1, result.GetArrayLength());
        var stream = result[0];
        Assert.Equal("""{"job":"categorize","pod":"a","service_name":"categorize"}""", stream.GetProperty("stream").GetRawText());
        string Ts(int s) => (baseNs + (s * 1_000_000_000L)).ToString(CultureInfo.InvariantCulture);
        var expected =
            $$$"""[["{{{Ts(1)}}}","level=info msg=first",{"parsed":{"level":"info","msg":"first"}}],""" +
            $$$"""["{{{Ts(2)}}}","level=error msg=second",{"structuredMetadata":{"trace_id":"t2"},"parsed":{"level":"error","msg":"second"}}],""" +
            $$$"""["{{{Ts(3)}}}","msg=third",{"structuredMetadata":{"trace_id":"t3","user":"u"},"parsed":{"msg":"third"}}]]""";
        Assert.Equal(expected, stream.GetProperty("values").GetRawText());
    }

    [Fact]
    public async Task Categorized_entries_without_extra_labels_get_an_empty_object_and_follow_the_direction()
    {
        var baseNs = await PushAsync();
        using var doc = await QueryAsync("{job=\"categorize\"} |= \"msg=f\" or \"msg=s\" | drop detected_level", "backward", categorize: true);
        var values = doc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values");
        string Ts(int s) => (baseNs + (s * 1_000_000_000L)).ToString(CultureInfo.InvariantCulture);
        Assert.Equal(
            $$$"""[["{{{Ts(2)}}}","level=error msg=second",{"structuredMetadata":{"trace_id":"t2"}}],["{{{Ts(1)}}}","level=info msg=first",{}]]""",
            values.GetRawText());
    }

    [Fact]
    public async Task Without_the_header_labels_stay_merged_into_the_stream_and_values_have_two_elements()
    {
        using var doc = await QueryAsync("{job=\"categorize\"} | logfmt | drop detected_level", "forward", categorize: false);
        var data = doc.RootElement.GetProperty("data");
        Assert.False(data.TryGetProperty("encodingFlags", out _));
        var result = data.GetProperty("result");
        Assert.Equal(3, result.GetArrayLength());
        foreach (var stream in result.EnumerateArray())
        {
            Assert.True(stream.GetProperty("stream").TryGetProperty("msg", out _));
            Assert.All(stream.GetProperty("values").EnumerateArray(), v => Assert.Equal(2, v.GetArrayLength()));
        }
        Assert.Contains(result.EnumerateArray(), s => s.GetProperty("stream").TryGetProperty("trace_id", out var t) && t.GetString() == "t3");
    }
}
