using System.Net;
using System.Text.Json;
using Orleans.Loki.TestSupport;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>
/// Multi-tenant reads (<c>X-Scope-OrgID: iso-alpha|iso-beta</c>) of the explore endpoints and the live tail: both
/// tenants' data, merged; a single tenant still sees only its own.
/// </summary>
public sealed class MultiTenantExploreTests
{
    private const string Both = "iso-alpha|iso-beta";

    [Fact]
    public async Task ExploreEndpoints_WithSeveralTenants_MergeEveryTenantsData()
    {
        await using var server = await LokiTestServer.StartAsync("auth_enabled: true");
        var now = TestClock.NowNs;
        await PushBothAsync(server, now);
        var range = $"start={now - 60_000_000_000}&end={now + 60_000_000_000}";
        var shared = Uri.EscapeDataString("{app=\"shared\"}");

        async Task<JsonElement> GetAsync(string url, string tenant = Both)
        {
            var (status, body, _) = await server.SendAsync(HttpMethod.Get, url, tenant: tenant);
            Assert.True(status == HttpStatusCode.OK, $"{url}: {(int)status} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        // index/stats: summed over the tenants; a __tenant_id__ matcher narrows them.
        string Stats(JsonElement s) => $"{s.GetProperty("streams").GetInt64()} {s.GetProperty("entries").GetInt64()}";
        Assert.Equal("2 10", Stats(await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}")));
        Assert.Equal("1 6", Stats(await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}", "iso-alpha")));
        Assert.Equal("1 4", Stats(await GetAsync($"/loki/api/v1/index/stats?query={Uri.EscapeDataString("{app=\"shared\", __tenant_id__=\"iso-beta\"}")}&{range}")));
        var bothBytes = (await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}")).GetProperty("bytes").GetInt64();
        var alphaBytes = (await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}", "iso-alpha")).GetProperty("bytes").GetInt64();
        var betaBytes = (await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}", "iso-beta")).GetProperty("bytes").GetInt64();
        Assert.Equal(alphaBytes + betaBytes, bothBytes);

        // index/volume: a series per tenant labelled __tenant_id__; usable as a target label; other targets add up.
        static List<string> Metrics(JsonElement response) =>
            [.. response.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(s => string.Join(",", s.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")))
                .Order(StringComparer.Ordinal)];
        static long Value(JsonElement response, int i) =>
            long.Parse(response.GetProperty("data").GetProperty("result")[i].GetProperty("value")[1].GetString()!);
        Assert.Equal(["__tenant_id__=iso-alpha,app=shared", "__tenant_id__=iso-beta,app=shared"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={shared}&{range}")));
        Assert.Equal(["__tenant_id__=iso-alpha", "__tenant_id__=iso-beta"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={shared}&targetLabels=__tenant_id__&{range}")));
        var byTeam = await GetAsync($"/loki/api/v1/index/volume?query={shared}&targetLabels=app&{range}");
        Assert.Equal(["app=shared"], Metrics(byTeam));
        Assert.Equal(bothBytes, Value(byTeam, 0));
        Assert.Equal(["app=shared"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={shared}&{range}", "iso-alpha")));
        Assert.Equal(["__tenant_id__=iso-beta,app=shared"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={Uri.EscapeDataString("{app=\"shared\", __tenant_id__!=\"iso-alpha\"}")}&{range}")));
        var matrix = await GetAsync($"/loki/api/v1/index/volume_range?query={shared}&step=60&{range}");
        Assert.Equal("matrix", matrix.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal(["__tenant_id__=iso-alpha,app=shared", "__tenant_id__=iso-beta,app=shared"], Metrics(matrix));

        // detected_labels: value sets merged, so the cardinality counts both tenants' values; no __tenant_id__.
        static Dictionary<string, int> Detected(JsonElement response) =>
            response.GetProperty("detectedLabels").EnumerateArray().ToDictionary(l => l.GetProperty("label").GetString()!, l => l.GetProperty("cardinality").GetInt32());
        var detected = Detected(await GetAsync($"/loki/api/v1/detected_labels?query={shared}&{range}"));
        Assert.Equal(2, detected["team"]);
        Assert.Equal(1, detected["app"]);
        Assert.False(detected.ContainsKey("__tenant_id__"));
        Assert.Equal(1, Detected(await GetAsync($"/loki/api/v1/detected_labels?query={shared}&{range}", "iso-alpha"))["team"]);

        // detected_fields and a field's values: lines of both tenants.
        static int Cardinality(JsonElement response, string field) =>
            response.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("label").GetString() == field).GetProperty("cardinality").GetInt32();
        Assert.Equal(2, Cardinality(await GetAsync($"/loki/api/v1/detected_fields?query={shared}&{range}"), "msg"));
        Assert.Equal(1, Cardinality(await GetAsync($"/loki/api/v1/detected_fields?query={shared}&{range}", "iso-beta"), "msg"));
        Assert.Equal(
            ["alpha secret line", "beta secret line"],
            (await GetAsync($"/loki/api/v1/detected_field/msg/values?query={shared}&{range}")).GetProperty("values").EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["alpha secret line"],
            (await GetAsync($"/loki/api/v1/detected_field/msg/values?query={shared}&{range}", "iso-alpha")).GetProperty("values").EnumerateArray().Select(v => v.GetString()));

        // patterns: clustered over both tenants' lines.
        static long PatternCount(JsonElement response) =>
            response.GetProperty("data").EnumerateArray().SelectMany(p => p.GetProperty("samples").EnumerateArray()).Sum(s => s[1].GetInt64());
        Assert.Equal(10, PatternCount(await GetAsync($"/loki/api/v1/patterns?query={shared}&step=60s&{range}")));
        Assert.Equal(6, PatternCount(await GetAsync($"/loki/api/v1/patterns?query={shared}&step=60s&{range}", "iso-alpha")));
        Assert.Equal(4, PatternCount(await GetAsync($"/loki/api/v1/patterns?query={Uri.EscapeDataString("{app=\"shared\", __tenant_id__=~\"iso-b.*\"}")}&step=60s&{range}")));
    }

    [Fact]
    public async Task Tail_WithSeveralTenants_ReplaysAndStreamsEachTenantLabelledWithTenantId()
    {
        await using var server = await LokiTestServer.StartAsync("auth_enabled: true");
        var now = TestClock.NowNs;
        await PushBothAsync(server, now);
        var start = now - 60_000_000_000;

        await using var both = await TailClient.ConnectAsync(server.Client.BaseAddress!, Both, "{app=\"shared\"}", $"&start={start}");
        await both.ReceiveUntilAsync(t => t.Entries.Count >= 10, "the replay of both tenants", TimeSpan.FromSeconds(20));
        Assert.Equal(6, both.Entries.Count(l => Tenant(l) == "iso-alpha" && l.Line.StartsWith("msg=\"alpha", StringComparison.Ordinal)));
        Assert.Equal(4, both.Entries.Count(l => Tenant(l) == "iso-beta" && l.Line.StartsWith("msg=\"beta", StringComparison.Ordinal)));

        await using var betaOnly = await TailClient.ConnectAsync(server.Client.BaseAddress!, Both, "{app=\"shared\", __tenant_id__=\"iso-beta\"}", $"&start={start}");
        await using var alphaAlone = await TailClient.ConnectAsync(server.Client.BaseAddress!, "iso-alpha", "{app=\"shared\"}", $"&start={start}");
        await betaOnly.ReceiveUntilAsync(t => t.Entries.Count >= 4, "the replay of beta", TimeSpan.FromSeconds(20));
        await alphaAlone.ReceiveUntilAsync(t => t.Entries.Count >= 6, "the replay of alpha", TimeSpan.FromSeconds(20));

        // Live entries from each tenant reach the multi-tenant tail, labelled; the others see only their tenant's.
        // Silos learn of a new tail within about a second, so a probe is pushed each round until it arrives.
        foreach (var own in new[] { "alpha", "beta" })
        {
            var round = 0;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!both.Entries.Any(e => e.Line.StartsWith($"live {own}", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no live {own} line reached the tail");
                var (status, body, _) = await server.PushAsync(
                    $"{{\"app\":\"shared\",\"team\":\"{own}\"}}", [(TestClock.NowNs, $"live {own} {++round}")], "iso-" + own);
                Assert.True(status == HttpStatusCode.NoContent, body);
                await both.WaitForMessageAsync(TimeSpan.FromMilliseconds(300));
            }
        }
        Assert.All(both.Entries.Where(e => e.Line.StartsWith("live ", StringComparison.Ordinal)), e => Assert.Equal("iso-" + e.Line.Split(' ')[1], Tenant(e)));
        await betaOnly.ReceiveUntilAsync(t => t.Entries.Any(e => e.Line.StartsWith("live beta", StringComparison.Ordinal)), "beta's live line", TimeSpan.FromSeconds(20));
        await alphaAlone.ReceiveUntilAsync(t => t.Entries.Any(e => e.Line.StartsWith("live alpha", StringComparison.Ordinal)), "alpha's live line", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(betaOnly.Entries, e => Tenant(e) != "iso-beta");
        Assert.DoesNotContain(alphaAlone.Entries, e => e.Line.Contains("beta", StringComparison.Ordinal) || Tenant(e) is not null);
    }

    private static string? Tenant((long Ts, string Line, Dictionary<string, string> Labels) entry) => entry.Labels.GetValueOrDefault("__tenant_id__");

    private static async Task PushBothAsync(LokiTestServer server, long now)
    {
        foreach (var own in new[] { "alpha", "beta" })
        {
            var (status, body, _) = await server.PushAsync(
                $"{{\"app\":\"shared\",\"team\":\"{own}\"}}",
                [.. Enumerable.Range(0, own == "alpha" ? 6 : 4).Select(i => (now + i, $"msg=\"{own} secret line\" n={i}"))],
                "iso-" + own);
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
    }
}
