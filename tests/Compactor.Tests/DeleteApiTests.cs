using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Compactor.Tests;

/// <summary>The log deletion API over HTTP: Loki's validation, statuses, cancel rules, query-time hiding, physical removal.</summary>
public sealed class DeleteApiTests
{
    private const string Config = """
        compactor:
          retention_enabled: true
          retention_delete_delay: 0s
          compaction_interval: 24h
          cold_chunk_age: 1000h
          delete_request_cancel_period: 1h
        """;

    private const string Overrides = """
        overrides:
          off:
            deletion_mode: disabled
          filteronly:
            deletion_mode: filter-only
        """;

    private static string Seconds(long ns) => (ns / 1_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Q(string s) => Uri.EscapeDataString(s);

    [Fact]
    public async Task AddRequest_ValidatesWithLokisTextsAndStatusCodes()
    {
        await using var server = await CompactorServer.StartAsync(Config, Overrides);
        var now = CompactorServer.NowNs;
        var start = Seconds(now - 3_600_000_000_000);
        var end = Seconds(now - 60_000_000_000);
        var cases = new (string Url, int Status, string Text)[]
        {
            ("", 400, "query not set"),
            ($"query={Q("{app=")}&start={start}", 400, "invalid query expression"),
            ($"query={Q("count_over_time({app=\"a\"}[1m])")}&start={start}", 400, "invalid query expression"),
            ($"query={Q("{app=\"a\"}")}", 400, "start time not set"),
            ($"query={Q("{app=\"a\"}")}&start=yesterday", 400, "invalid start time: require unix seconds or RFC3339 format"),
            ($"query={Q("{app=\"a\"}")}&start=17000000000", 400, "invalid start time: require unix seconds or RFC3339 format"),
            ($"query={Q("{app=\"a\"}")}&start={start}&end=x", 400, "invalid end time: require unix seconds or RFC3339 format"),
            ($"query={Q("{app=\"a\"}")}&start={start}&end={Seconds(now + 3_600_000_000_000)}", 400, "deletes in the future are not allowed"),
            ($"query={Q("{app=\"a\"}")}&start={end}&end={end}", 400, "start time can't be greater than or equal to end time"),
            ($"query={Q("{app=\"a\"} |= \"x\"")}&start={start}&end={end}&max_interval=1x", 400, "invalid max_interval: valid time units are 's', 'm', 'h'"),
            ($"query={Q("{app=\"a\"} |= \"x\"")}&start={start}&end={end}&max_interval=48h", 400, "max_interval can't be greater than 24h0m0s"),
            ($"query={Q("{app=\"a\"} |= \"x\"")}&start={Seconds(now - 7_200_000_000_000)}&end={Seconds(now - 3_600_000_000_000)}&max_interval=2h", 400,
                "max_interval can't be greater than the interval to be deleted (1h0m0s)"),
        };
        foreach (var (url, status, text) in cases)
        {
            var (actual, body, response) = await server.SendAsync(HttpMethod.Post, "/loki/api/v1/delete?" + url);
            Assert.True(status == (int)actual, $"{url}: {(int)actual} {body}");
            Assert.Equal(text + "\n", body);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
        }
        var (disabled, disabledBody, _) = await server.SendAsync(HttpMethod.Post, $"/loki/api/v1/delete?query={Q("{app=\"a\"}")}&start={start}", tenant: "off");
        Assert.Equal(HttpStatusCode.Forbidden, disabled);
        Assert.Equal("deletion is not available for this tenant\n", disabledBody);
        var (listDisabled, _, _) = await server.SendAsync(HttpMethod.Get, "/loki/api/v1/delete", tenant: "off");
        Assert.Equal(HttpStatusCode.Forbidden, listDisabled);

        // RFC3339 and PUT are accepted too.
        var rfc = DateTimeOffset.FromUnixTimeMilliseconds((now / 1_000_000) - 600_000).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var (ok, okBody, okResponse) = await server.SendAsync(HttpMethod.Put, $"/loki/api/v1/delete?query={Q("{app=\"a\"}")}&start={rfc}");
        Assert.True(ok == HttpStatusCode.NoContent, okBody);
        Assert.Matches("^[0-9a-f]{8}$", okResponse.Headers.GetValues("X-Delete-Request-ID").Single());
    }

    [Fact]
    public async Task ADeleteRequest_HidesLinesAtOnce_ForLogAndMetricQueries_FlushedAndUnflushed()
    {
        await using var server = await CompactorServer.StartAsync(Config, Overrides);
        var t0 = CompactorServer.HoursAgoNs(2);
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "user=alice ok"), (t0 + 1000, "user=bob password=hunter2"), (t0 + 2000, "user=carol ok")]);
        // An unflushed entry (still in the stream grain's memory) is hidden as well.
        var (pushed, _, _) = await server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", new StringContent(
            $$"""{"streams":[{"stream":{"app":"web"},"values":[["{{t0 + 3000}}","user=dave password=hunter2"]]}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, pushed);
        var from = CompactorServer.HoursAgoNs(3);
        var to = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        Assert.Equal(4, (await server.LinesAsync("""{app="web"}""", from, to)).Count);
        Assert.Equal("\"\"", (await server.SendAsync(HttpMethod.Get, "/loki/api/v1/cache/generation_numbers")).Body);

        var (status, body, _) = await server.SendAsync(HttpMethod.Post,
            $"/loki/api/v1/delete?query={Q("{app=\"web\"} |= \"hunter2\"")}&start={Seconds(from)}&end={Seconds(to)}");
        Assert.True(status == HttpStatusCode.NoContent, body);

        Assert.Equal(["user=alice ok", "user=carol ok"], await server.LinesAsync("""{app="web"}""", from, to));
        Assert.Equal(2, await server.CountAsync("""{app="web"}""", from, to));
        Assert.Empty(await server.LinesAsync("""{app="web"} |= "hunter2" """, from, to));
        // Other tenants are not affected.
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "user=eve password=hunter2")], tenant: "else");
        Assert.Equal(["user=eve password=hunter2"], await server.LinesAsync("""{app="web"}""", from, to, "else"));

        var generation = JsonSerializer.Deserialize<string>((await server.SendAsync(HttpMethod.Get, "/loki/api/v1/cache/generation_numbers")).Body)!;
        Assert.True(long.Parse(generation) > 0, generation);
        var list = await server.GetJsonAsync("/loki/api/v1/delete");
        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal("received", entry.GetProperty("status").GetString());
        Assert.Equal("{app=\"web\"} |= \"hunter2\"", entry.GetProperty("query").GetString());
        Assert.Equal(long.Parse(Seconds(from)), entry.GetProperty("start_time").GetDouble());
        Assert.Equal("", entry.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Cancel_FollowsLokisRules_WithAndWithoutForce()
    {
        await using var server = await CompactorServer.StartAsync(Config, Overrides);
        var t0 = CompactorServer.HoursAgoNs(2);
        await server.PushAndFlushAsync("""{"app":"c"}""", [(t0, "line one"), (t0 + 1, "line two")]);
        var from = CompactorServer.HoursAgoNs(3);
        var to = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        async Task<string> AddAsync(string query)
        {
            var (status, body, response) = await server.SendAsync(HttpMethod.Post, $"/loki/api/v1/delete?query={Q(query)}&start={Seconds(from)}&end={Seconds(to)}");
            Assert.True(status == HttpStatusCode.NoContent, body);
            return response.Headers.GetValues("X-Delete-Request-ID").Single();
        }

        var (missing, missingBody, _) = await server.SendAsync(HttpMethod.Delete, "/loki/api/v1/delete?request_id=deadbeef");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("could not find delete request with given id\n", missingBody);

        var first = await AddAsync("""{app="c"} |= "one" """);
        Assert.Equal(["line two"], await server.LinesAsync("""{app="c"}""", from, to));
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/loki/api/v1/delete?request_id={first}")).Status);
        Assert.Equal(["line one", "line two"], await server.LinesAsync("""{app="c"}""", from, to));
        Assert.Equal(0, (await server.GetJsonAsync("/loki/api/v1/delete")).GetArrayLength());

        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await AddAsync("""{app="c"} |= "two" """);
        server.Clock.Advance(TimeSpan.FromMinutes(61));
        var (late, lateBody, _) = await server.SendAsync(HttpMethod.Delete, $"/loki/api/v1/delete?request_id={second}");
        Assert.Equal(HttpStatusCode.BadRequest, late);
        Assert.Equal("Cancellation of partially completed delete request or delete request past the deadline of 1h0m0s since its creation is not allowed. To force, use the ?force query parameter\n", lateBody);
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/loki/api/v1/delete?request_id={second}&force=true")).Status);
        Assert.Equal(["line one", "line two"], await server.LinesAsync("""{app="c"}""", from, to));

        var third = await AddAsync("""{app="c"} |= "two" """);
        server.Clock.Advance(TimeSpan.FromMinutes(62));
        await server.Compactor.RunOnceAsync();
        Assert.Equal("processed", Assert.Single((await server.GetJsonAsync("/loki/api/v1/delete")).EnumerateArray()).GetProperty("status").GetString());
        var (processed, processedBody, _) = await server.SendAsync(HttpMethod.Delete, $"/loki/api/v1/delete?request_id={third}&force=true");
        Assert.Equal(HttpStatusCode.BadRequest, processed);
        Assert.Equal("deletion of request which is in process or already processed is not allowed\n", processedBody);
    }

    [Fact]
    public async Task AfterTheCancelPeriod_TheCompactorRemovesTheLinesBytesFromEveryObject_AndDropsWholeChunksOfFilterlessRequests()
    {
        await using var server = await CompactorServer.StartAsync(Config, Overrides);
        var t0 = CompactorServer.HoursAgoNs(2);
        const string secret = "user=bob password=hunter2-b7f3c9";
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "user=alice ok"), (t0 + 1000, secret), (t0 + 2000, "user=carol ok")]);
        await server.PushAndFlushAsync("""{"app":"gone"}""", [(t0, "remove me entirely"), (t0 + 1, "and me")]);
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "filter only password=hunter2")], tenant: "filteronly");
        var from = CompactorServer.HoursAgoNs(3);
        var to = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        foreach (var (query, tenant) in new[] { ("""{app="web"} |= "hunter2" """, "fake"), ("""{app="gone"}""", "fake"), ("""{app="web"} |= "hunter2" """, "filteronly") })
        {
            var (status, body, _) = await server.SendAsync(HttpMethod.Post, $"/loki/api/v1/delete?query={Q(query)}&start={Seconds(from)}&end={Seconds(to)}", tenant: tenant);
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
        var gone = await server.KeysAsync("fake/chunks/");
        Assert.Equal(2, gone.Count);

        // Within the cancel period nothing is touched.
        var early = await server.Compactor.RunOnceAsync();
        Assert.Equal(0, early.ChunksMarked);

        server.Clock.Advance(TimeSpan.FromMinutes(62));
        var run = await server.Compactor.RunOnceAsync();
        Assert.Equal(1, run.ChunksRewritten);
        Assert.Equal(2, run.ChunksMarked);
        Assert.Equal(2, run.ChunksDeleted);

        Assert.Equal(["user=alice ok", "user=carol ok"], await server.LinesAsync("""{app=~".+"}""", from, to));
        var statuses = (await server.GetJsonAsync("/loki/api/v1/delete")).EnumerateArray().Select(e => e.GetProperty("status").GetString()).ToList();
        Assert.Equal(["processed", "processed"], statuses);
        var chunks = await server.KeysAsync("fake/chunks/");
        var rewritten = Assert.Single(chunks);
        Assert.DoesNotContain(rewritten, gone);
        Assert.Empty(await server.KeysAsync("fake/index/").ContinueWith(async t =>
        {
            var found = new List<string>();
            foreach (var key in t.Result)
            {
                if (Encoding.UTF8.GetString((await server.Store.GetAsync(key))!).Contains("app=\"gone\"", StringComparison.Ordinal))
                {
                    found.Add(key);
                }
            }
            return found;
        }).Unwrap());
        var needle = Encoding.UTF8.GetBytes(secret);
        foreach (var key in await server.KeysAsync(""))
        {
            var data = (await server.Store.GetAsync(key))!;
            Assert.True(data.AsSpan().IndexOf(needle) < 0, $"object {key} still holds the deleted line");
            Assert.True(!key.Contains("/chunks/") || Orleans.Loki.Chunks.ChunkReader.Open(data).Iterate(long.MinValue, long.MaxValue, false)
                .All(e => !Encoding.UTF8.GetString(e.Line.Span).Contains("hunter2") || key.StartsWith("filteronly/", StringComparison.Ordinal)), $"chunk {key} still holds the deleted line");
        }
        // filter-only: hidden at query time, never removed.
        Assert.Empty(await server.LinesAsync("""{app="web"}""", from, to, "filteronly"));
        Assert.Equal("received", Assert.Single((await server.GetJsonAsync("/loki/api/v1/delete", "filteronly")).EnumerateArray()).GetProperty("status").GetString());
        Assert.Single(await server.KeysAsync("filteronly/chunks/"));
        Assert.Contains(await server.KeysAsync(""), k => k.StartsWith("filteronly/chunks/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AShardedRequest_ReportsNPercentComplete_OverHttp_UntilEveryShardIsApplied()
    {
        // delete_batch_size bounds the shards applied per run, so a 3-shard request takes three runs.
        await using var server = await CompactorServer.StartAsync(Config + "\n  delete_batch_size: 1\n", Overrides);
        var from = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000 - 3 * 3_600_000_000_000;
        var to = from + 3 * 3_600_000_000_000;
        const string early = "early password=hunter2-s0";
        const string late = "late password=hunter2-s2";
        await server.PushAndFlushAsync("""{"app":"shards"}""", [(from + 1_800_000_000_000, early), (from + 1_800_000_000_001, "kept one"), (to - 1_800_000_000_000, late), (to - 1_799_999_999_999, "kept two")]);
        var (status, body, response) = await server.SendAsync(HttpMethod.Post,
            $"/loki/api/v1/delete?query={Q("{app=\"shards\"} |= \"hunter2\"")}&start={Seconds(from)}&end={Seconds(to)}&max_interval=1h");
        Assert.True(status == HttpStatusCode.NoContent, body);
        var id = response.Headers.GetValues("X-Delete-Request-ID").Single();
        async Task<string> StatusAsync() => Assert.Single((await server.GetJsonAsync("/loki/api/v1/delete")).EnumerateArray()).GetProperty("status").GetString()!;
        async Task<bool> StoredAsync(string line)
        {
            var needle = Encoding.UTF8.GetBytes(line);
            foreach (var key in await server.KeysAsync("fake/chunks/"))
            {
                if ((await server.Store.GetAsync(key))!.AsSpan().IndexOf(needle) >= 0 ||
                    Orleans.Loki.Chunks.ChunkReader.Open((await server.Store.GetAsync(key))!).Iterate(long.MinValue, long.MaxValue, false).Any(e => Encoding.UTF8.GetString(e.Line.Span) == line))
                {
                    return true;
                }
            }
            return false;
        }

        Assert.Equal("received", await StatusAsync());
        Assert.Equal(["kept one", "kept two"], await server.LinesAsync("""{app="shards"}""", from, to + 1));
        server.Clock.Advance(TimeSpan.FromMinutes(62));

        var first = await server.Compactor.RunOnceAsync();
        Assert.Equal(1, first.DeleteShardsProcessed);
        Assert.Equal("33% Complete", await StatusAsync());
        Assert.False(await StoredAsync(early));
        Assert.True(await StoredAsync(late));
        // Still hidden at query time, and a partially applied request cannot be cancelled without force.
        Assert.Equal(["kept one", "kept two"], await server.LinesAsync("""{app="shards"}""", from, to + 1));
        var (cancel, cancelBody, _) = await server.SendAsync(HttpMethod.Delete, $"/loki/api/v1/delete?request_id={id}");
        Assert.Equal(HttpStatusCode.BadRequest, cancel);
        Assert.StartsWith("Cancellation of partially completed delete request", cancelBody);

        await server.Compactor.RunOnceAsync();
        Assert.Equal("66% Complete", await StatusAsync());
        Assert.True(await StoredAsync(late));

        var third = await server.Compactor.RunOnceAsync();
        Assert.Equal(1, third.DeleteShardsProcessed);
        Assert.Equal("processed", await StatusAsync());
        Assert.False(await StoredAsync(late));
        Assert.True(await StoredAsync("kept one"));
        Assert.True(await StoredAsync("kept two"));
        Assert.Equal(["kept one", "kept two"], await server.LinesAsync("""{app="shards"}""", from, to + 1));
        Assert.Equal(0, (await server.Compactor.RunOnceAsync()).DeleteShardsProcessed);
    }

    [Fact]
    public async Task ALiveTail_DoesNotSendDeletedLines()
    {
        await using var server = await CompactorServer.StartAsync(Config, Overrides);
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        var (status, body, _) = await server.SendAsync(HttpMethod.Post,
            $"/loki/api/v1/delete?query={Q("{app=\"tail\"} |= \"hunter2\"")}&start={Seconds(now - 3_600_000_000_000)}&end={Seconds(now)}");
        Assert.True(status == HttpStatusCode.NoContent, body);
        await using var tail = await Orleans.Loki.TestSupport.TailClient.ConnectAsync(server.Client.BaseAddress!, "fake", """{app="tail"}""");
        var ts = now - 120_000_000_000;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        // The subscription is registered asynchronously: push until the plain line arrives.
        while (tail.Entries.Count == 0 && DateTime.UtcNow < deadline)
        {
            var (pushed, _, _) = await server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", new StringContent(
                $$"""{"streams":[{"stream":{"app":"tail"},"values":[["{{ts++}}","password=hunter2"],["{{ts++}}","plain line"]]}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NoContent, pushed);
            await tail.WaitForMessageAsync(TimeSpan.FromMilliseconds(500));
        }
        await tail.ReceiveUntilAsync(t => t.Entries.Count > 0, "the plain line");
        Assert.All(tail.Entries, e => Assert.Equal("plain line", e.Line));
    }
}
