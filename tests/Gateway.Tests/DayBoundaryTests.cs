using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// Entries in the last and first nanoseconds of a UTC day are indexed under the day they belong to and found there by
/// every read path (log query, metric query, index stats and volume), once flushed to chunks.
/// </summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class DayBoundaryTests(GatewayClusterFixture fixture)
{
    [Fact]
    public void DayOf_divides_integers_so_the_last_nanosecond_stays_in_its_day()
    {
        const int day = 20_424; // 2025-12-02: at this size a double cannot tell day·86400e9 − 1 from day·86400e9
        var midnight = day * TimePartition.DayNs;
        Assert.Equal(day - 1, TimePartition.DayOf(midnight - 1));
        Assert.Equal(day, TimePartition.DayOf(midnight));
        Assert.Equal(day, TimePartition.DayOf(midnight + 1));
        Assert.Equal(day, TimePartition.DayOf(midnight + TimePartition.DayNs - 1));
        Assert.Equal(-1, TimePartition.DayOf(-1));
        Assert.Equal(0, TimePartition.DayOf(0));
        Assert.Equal(midnight, TimePartition.DayStartNs(day));
    }

    [Fact]
    public async Task Entries_around_midnight_are_found_under_their_own_day_after_a_flush()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var midnight = TimePartition.DayStartNs(TimePartition.DayOf(now));
        var pods = new (string Pod, long Ts)[] { ("before", midnight - 1), ("at", midnight), ("after", midnight + 1) };
        var streams = string.Join(",", pods.Select(p =>
            $"{{\"stream\":{{\"app\":\"dayedge\",\"pod\":\"{p.Pod}\"}},\"values\":[[\"{p.Ts}\",\"line {p.Pod}\"]]}}"));
        using (var push = await fixture.Http.PostAsync("/loki/api/v1/push", new StringContent($"{{\"streams\":[{streams}]}}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
        }
        using (var flushed = await fixture.Http.PostAsync("/flush", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, flushed.StatusCode);
        }

        // Log queries: [from, to) around the boundary return exactly the entries inside.
        Assert.Equal(["before"], await PodsAsync(midnight - 1, midnight));
        Assert.Equal(["at"], await PodsAsync(midnight, midnight + 1));
        Assert.Equal(["after", "at", "before"], await PodsAsync(midnight - 1, midnight + 2));

        // Index stats and volume clip chunks to the day of the index they are in: each day counts its own entries.
        // (Their range is inclusive at both ends, as Loki's chunk overlap test.)
        Assert.Equal((1, 1), await StatsAsync(midnight - TimePartition.DayNs / 2, midnight - 1));
        Assert.Equal((2, 2), await StatsAsync(midnight, midnight + TimePartition.DayNs / 2));
        Assert.Equal((3, 3), await StatsAsync(midnight - TimePartition.DayNs / 2, midnight + TimePartition.DayNs / 2));
        Assert.Equal(["before"], await VolumePodsAsync(midnight - TimePartition.DayNs / 2, midnight - 1));
        Assert.Equal(["after", "at"], await VolumePodsAsync(midnight, midnight + TimePartition.DayNs / 2));

        // A metric query over a window that ends at midnight counts the entry of the previous day.
        var (status, body) = await QueryClient.InstantAsync(fixture.Http, "sum(count_over_time({app=\"dayedge\"}[1s]))", midnight - 1);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("1", doc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
    }

    private async Task<string[]> PodsAsync(long fromNs, long toNs)
    {
        var (status, body) = await QueryClient.RangeAsync(fixture.Http, "{app=\"dayedge\"}", fromNs, toNs, 1_000_000_000);
        Assert.True(status == HttpStatusCode.OK, body);
        return [.. QueryClient.StreamEntries(body).Select(e => e.Split(' ')[0]).Order(StringComparer.Ordinal)];
    }

    private async Task<(long Streams, long Entries)> StatsAsync(long fromNs, long toNs)
    {
        var (status, body) = await QueryClient.GetAsync(fixture.Http, "/loki/api/v1/index/stats",
            ("query", "{app=\"dayedge\"}"), ("start", Ns(fromNs)), ("end", Ns(toNs)));
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return (doc.RootElement.GetProperty("streams").GetInt64(), doc.RootElement.GetProperty("entries").GetInt64());
    }

    private async Task<string[]> VolumePodsAsync(long fromNs, long toNs)
    {
        var (status, body) = await QueryClient.GetAsync(fixture.Http, "/loki/api/v1/index/volume",
            ("query", "{app=\"dayedge\"}"), ("start", Ns(fromNs)), ("end", Ns(toNs)), ("targetLabels", "pod"));
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => r.GetProperty("metric").GetProperty("pod").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static string Ns(long ns) => ns.ToString(CultureInfo.InvariantCulture);
}
