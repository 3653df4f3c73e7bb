using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Loki.TestSupport;

namespace Orleans.Loki.Compactor.Tests;

/// <summary>
/// A pending delete request hides its lines from every read path, from the first read after its 204: live tails (also
/// requests created while the tail runs, and multi-tenant tails), the historic replay of a tail, index stats and
/// volumes (entries and bytes), detected fields, patterns and export.
/// </summary>
public sealed class DeleteReadPathTests
{
    private const string Config = """
        compactor:
          retention_enabled: true
          retention_delete_delay: 0s
          compaction_interval: 24h
          cold_chunk_age: 1000h
          delete_request_cancel_period: 24h
        """;

    private static string Q(string s) => Uri.EscapeDataString(s);

    private static string Seconds(long ns) => (ns / 1_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task DeleteAsync(CompactorServer server, string query, long fromNs, string tenant = "fake")
    {
        var to = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        var (status, body, _) = await server.SendAsync(HttpMethod.Post, $"/loki/api/v1/delete?query={Q(query)}&start={Seconds(fromNs)}&end={Seconds(to)}", tenant: tenant);
        Assert.True(status == HttpStatusCode.NoContent, body);
    }

    private static async Task PushAsync(CompactorServer server, string stream, string tenant, params (long Ts, string Line)[] entries)
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{JsonSerializer.Serialize(e.Line)}]"));
        var (status, body, _) = await server.SendAsync(HttpMethod.Post, "/loki/api/v1/push",
            new StringContent($"{{\"streams\":[{{\"stream\":{stream},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json"), tenant);
        Assert.True(status == HttpStatusCode.NoContent, body);
    }

    [Fact]
    public async Task IndexStatsAndVolumes_CountNeitherTheEntriesNorTheBytesOfDeletedLines_FlushedOrInMemory()
    {
        await using var server = await CompactorServer.StartAsync(Config);
        var t0 = CompactorServer.HoursAgoNs(2);
        // Tenant "ref" holds exactly what "fake" keeps once the requests apply.
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "user=alice ok"), (t0 + 1000, "user=bob password=hunter2"), (t0 + 2000, "level=warn user=carol ok")]);
        await PushAsync(server, """{"app":"web"}""", "fake", (t0 + 3000, "level=error user=dave password=hunter2 still in memory"));
        await server.PushAndFlushAsync("""{"app":"gone"}""", [(t0, "remove me entirely"), (t0 + 1, "and me")]);
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "user=alice ok"), (t0 + 2000, "level=warn user=carol ok")], tenant: "ref");
        var from = CompactorServer.HoursAgoNs(3);
        var to = CompactorServer.NowNs;
        var range = $"start={from}&end={to}";
        var all = Q("{app=~\".+\"}");

        async Task<(long Entries, long Bytes, long Streams)> StatsAsync(string tenant)
        {
            var stats = await server.GetJsonAsync($"/loki/api/v1/index/stats?query={all}&{range}", tenant);
            return (stats.GetProperty("entries").GetInt64(), stats.GetProperty("bytes").GetInt64(), stats.GetProperty("streams").GetInt64());
        }
        async Task<string> VolumeAsync(string path, string tenant) =>
            (await server.GetJsonAsync($"/loki/api/v1/index/{path}?query={all}&{range}&step=600", tenant)).GetProperty("data").GetProperty("result").GetRawText();

        var before = await StatsAsync("fake");
        Assert.Equal(6, before.Entries);
        Assert.Contains("\"gone\"", await VolumeAsync("volume", "fake"));

        await DeleteAsync(server, """{app="web"} |= "hunter2" """, from);
        await DeleteAsync(server, """{app="gone"}""", from);

        var after = await StatsAsync("fake");
        var reference = await StatsAsync("ref");
        Assert.Equal(2, after.Entries);
        Assert.Equal((reference.Entries, reference.Bytes), (after.Entries, after.Bytes));
        Assert.True(after.Bytes < before.Bytes);
        // Per stream and bucket, volumes equal those of the reference tenant; the fully deleted stream is gone.
        Assert.Equal(await VolumeAsync("volume", "ref"), await VolumeAsync("volume", "fake"));
        Assert.Equal(await VolumeAsync("volume_range", "ref"), await VolumeAsync("volume_range", "fake"));
        Assert.DoesNotContain("\"gone\"", await VolumeAsync("volume_range", "fake"));
        // A stats query that no request touches reads nothing extra and is unchanged.
        var other = await server.GetJsonAsync($"/loki/api/v1/index/stats?query={Q("{app=\"web\"}")}&{range}", "ref");
        Assert.Equal(2, other.GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task DetectedFieldsPatternsAndExport_DoNotSeeDeletedLines()
    {
        await using var server = await CompactorServer.StartAsync(Config);
        var t0 = CompactorServer.HoursAgoNs(1);
        await server.PushAndFlushAsync("""{"app":"det"}""", [
            (t0, "level=info msg=ok status=200"), (t0 + 1000, "level=info msg=ok status=201"),
            (t0 + 2000, "level=info secret_field=xyz password=hunter2 token=abc"), (t0 + 3000, "level=info msg=ok status=202")]);
        var from = CompactorServer.HoursAgoNs(2);
        var to = CompactorServer.NowNs;
        var selector = Q("{app=\"det\"}");

        async Task<List<string>> FieldsAsync() => [.. (await server.GetJsonAsync($"/loki/api/v1/detected_fields?query={selector}&start={from}&end={to}"))
            .GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("label").GetString()!)];
        async Task<List<string>> PatternsAsync() => [.. (await server.GetJsonAsync($"/loki/api/v1/patterns?query={selector}&start={from}&end={to}&step=1m"))
            .GetProperty("data").EnumerateArray().Select(p => p.GetProperty("pattern").GetString()!)];
        async Task<string> ExportAsync()
        {
            var (status, body, _) = await server.SendAsync(HttpMethod.Get, $"/loki/api/v1/export?query={selector}&start={from}&end={to}&direction=forward&format=text");
            Assert.True(status == HttpStatusCode.OK, body);
            return body;
        }

        Assert.Contains("secret_field", await FieldsAsync());
        Assert.Contains(await PatternsAsync(), p => p.Contains("secret_field", StringComparison.Ordinal));
        Assert.Contains("hunter2", await ExportAsync());

        await DeleteAsync(server, """{app="det"} |= "hunter2" """, from);

        var fields = await FieldsAsync();
        Assert.DoesNotContain("secret_field", fields);
        Assert.DoesNotContain("token", fields);
        Assert.Contains("status", fields);
        var patterns = await PatternsAsync();
        Assert.NotEmpty(patterns);
        Assert.DoesNotContain(patterns, p => p.Contains("secret_field", StringComparison.Ordinal));
        Assert.Equal("level=info msg=ok status=200\nlevel=info msg=ok status=201\nlevel=info msg=ok status=202\n", await ExportAsync());
    }

    [Fact]
    public async Task ALiveTail_HidesLinesOfARequestCreatedWhileItRuns()
    {
        await using var server = await CompactorServer.StartAsync(Config);
        await using var tail = await TailClient.ConnectAsync(server.Client.BaseAddress!, "fake", """{app="tail2"}""");
        var ts = CompactorServer.NowNs - 60_000_000_000;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        // The subscription is registered asynchronously: push until the first line arrives.
        while (tail.Entries.Count == 0 && DateTime.UtcNow < deadline)
        {
            await PushAsync(server, """{"app":"tail2"}""", "fake", (ts++, "password=hunter2 before the request"));
            await tail.WaitForMessageAsync(TimeSpan.FromMilliseconds(500));
        }
        await tail.ReceiveUntilAsync(t => t.Entries.Count > 0, "a line before the request");

        await DeleteAsync(server, """{app="tail2"} |= "hunter2" """, CompactorServer.HoursAgoNs(1));
        await PushAsync(server, """{"app":"tail2"}""", "fake", (ts++, "password=hunter2 after the request"), (ts++, "plain after the request"));
        await tail.ReceiveUntilAsync(t => t.Has("plain after the request"), "the plain line");
        Assert.DoesNotContain(tail.Entries, e => e.Line == "password=hunter2 after the request");
    }

    [Fact]
    public async Task AMultiTenantLiveTail_HidesEachTenantsDeletedLines()
    {
        await using var server = await CompactorServer.StartAsync(Config);
        await DeleteAsync(server, """{app="mt"} |= "hunter2" """, CompactorServer.HoursAgoNs(1), "fake");
        await using var tail = await TailClient.ConnectAsync(server.Client.BaseAddress!, "fake|other", """{app="mt"}""");
        var ts = CompactorServer.NowNs - 60_000_000_000;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(tail.Has("plain fake") && tail.Has("password=hunter2 of other")) && DateTime.UtcNow < deadline)
        {
            await PushAsync(server, """{"app":"mt"}""", "fake", (ts++, "password=hunter2 of fake"), (ts++, "plain fake"));
            await PushAsync(server, """{"app":"mt"}""", "other", (ts++, "password=hunter2 of other"));
            await tail.WaitForMessageAsync(TimeSpan.FromMilliseconds(500));
        }
        await tail.ReceiveUntilAsync(t => t.Has("plain fake") && t.Has("password=hunter2 of other"), "both tenants' lines");
        Assert.DoesNotContain(tail.Entries, e => e.Line == "password=hunter2 of fake");
        Assert.Contains(tail.Entries, e => e.Labels.GetValueOrDefault("__tenant_id__") == "other");
    }

    [Fact]
    public async Task TheHistoricReplayOfATail_DoesNotSendDeletedLines()
    {
        await using var server = await CompactorServer.StartAsync(Config);
        var t0 = CompactorServer.HoursAgoNs(0.2);
        await server.PushAndFlushAsync("""{"app":"replay"}""", [(t0, "old password=hunter2"), (t0 + 1000, "old plain")]);
        await PushAsync(server, """{"app":"replay"}""", "fake", (t0 + 2000, "recent password=hunter2"), (t0 + 3000, "recent plain"));
        await DeleteAsync(server, """{app="replay"} |= "hunter2" """, CompactorServer.HoursAgoNs(1));
        await using var tail = await TailClient.ConnectAsync(server.Client.BaseAddress!, "fake", """{app="replay"}""", $"&start={CompactorServer.HoursAgoNs(0.5)}");
        await tail.ReceiveUntilAsync(t => t.Has("old plain") && t.Has("recent plain"), "the replayed lines");
        Assert.Equal(["old plain", "recent plain"], tail.Entries.Select(e => e.Line));
    }
}
