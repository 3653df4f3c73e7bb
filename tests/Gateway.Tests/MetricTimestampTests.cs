using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>Metric timestamps are rendered exactly as Loki does: seconds with up to three decimals.</summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class MetricTimestampTests(GatewayClusterFixture fixture)
{
    [Fact]
    public async Task Millisecond_aligned_step_timestamps_render_exactly()
    {
        // 1000 steps 7 ms apart starting on an odd millisecond: every millisecond remainder occurs, and through a
        // double (ns / 1e6) a good share of them would render one millisecond early.
        const long startMs = 1_700_000_000_001;
        var (status, body) = await QueryClient.GetAsync(fixture.Http, "/loki/api/v1/query_range", ("query", "vector(1)"),
            ("start", (startMs * 1_000_000).ToString(CultureInfo.InvariantCulture)),
            ("end", ((startMs + (999 * 7)) * 1_000_000).ToString(CultureInfo.InvariantCulture)), ("step", "0.007"));
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var values = doc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(1000, values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            Assert.Equal(Seconds(startMs + (i * 7)), values[i][0].GetRawText());
        }
    }

    [Theory]
    [InlineData(1_700_000_000_123_000_000, "1700000000.123")]
    [InlineData(1_700_000_000_120_000_000, "1700000000.12")]
    [InlineData(1_700_000_000_100_999_999, "1700000000.1")]
    [InlineData(1_700_000_000_000_000_000, "1700000000")]
    [InlineData(1_700_000_000_009_000_000, "1700000000.009")]
    public async Task Instant_query_time_renders_as_seconds_with_up_to_three_decimals(long timeNs, string expected)
    {
        var (status, body) = await QueryClient.InstantAsync(fixture.Http, "vector(2)", timeNs);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var value = doc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value");
        Assert.Equal(expected, value[0].GetRawText());
        Assert.Equal("2", value[1].GetString());
    }

    [Theory]
    [InlineData(-1_500_000_000, "-1.5")]
    [InlineData(-999_999, "0")]
    [InlineData(-1_000_000, "-0.001")]
    [InlineData(999_999, "0")]
    [InlineData(long.MaxValue, "9223372036.854")]
    [InlineData(long.MinValue, "-9223372036.854")]
    public void Seconds_text_truncates_nanoseconds_toward_zero_like_go(long timestampNs, string expected)
    {
        Span<byte> text = stackalloc byte[32];
        var n = Orleans.Loki.Gateway.Query.LokiJson.FormatSeconds(timestampNs, text);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(text[..n]));
    }

    private static string Seconds(long ms)
    {
        var text = (ms / 1000).ToString(CultureInfo.InvariantCulture);
        return ms % 1000 == 0 ? text : text + "." + (ms % 1000).ToString("000", CultureInfo.InvariantCulture).TrimEnd('0');
    }
}
