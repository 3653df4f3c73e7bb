using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>
/// The isolation sweep's sibling for multi-tenant reads: <c>X-Scope-OrgID: iso-alpha|iso-beta</c> sees both tenants'
/// data, every stream and series labelled with its <c>__tenant_id__</c>; a single tenant still sees only its own,
/// without the label.
/// </summary>
public sealed class MultiTenantQueryTests
{
    private const string Both = "iso-alpha|iso-beta";

    [Fact]
    public async Task MultiTenantReads_SeeEveryNamedTenant_LabelledWithTenantId()
    {
        await using var server = await LokiTestServer.StartAsync("auth_enabled: true");
        var now = TestClock.NowNs;
        foreach (var own in new[] { "alpha", "beta" })
        {
            var (status, body, _) = await server.PushAsync(
                $"{{\"app\":\"shared\",\"team\":\"{own}\",\"only_{own}\":\"{own}-only\"}}",
                [.. Enumerable.Range(0, own == "alpha" ? 6 : 4).Select(i => (now + i, $"msg=\"{own} secret line\" n={i}"))],
                "iso-" + own);
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
        var range = $"start={now - 60_000_000_000}&end={now + 60_000_000_000}";

        async Task<JsonElement> GetAsync(string url, string tenant = Both)
        {
            var (status, body, _) = await server.SendAsync(HttpMethod.Get, url, tenant: tenant);
            Assert.True(status == HttpStatusCode.OK, $"{url}: {(int)status} {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
        }

        string Query(string q) => $"/loki/api/v1/query_range?query={Uri.EscapeDataString(q)}&{range}&limit=100";

        // Log query: one stream per tenant, each labelled with the tenant its data came from.
        var streams = (await GetAsync(Query("{app=\"shared\"}"))).GetProperty("result");
        Assert.Equal(
            ["iso-alpha alpha 6", "iso-beta beta 4"],
            streams.EnumerateArray().Select(s => $"{s.GetProperty("stream").GetProperty("__tenant_id__").GetString()} {s.GetProperty("stream").GetProperty("team").GetString()} {s.GetProperty("values").GetArrayLength()}").Order(StringComparer.Ordinal));

        // A __tenant_id__ matcher chooses the tenants read.
        var onlyBeta = (await GetAsync(Query("{app=\"shared\", __tenant_id__=\"iso-beta\"} |= \"secret\""))).GetProperty("result");
        Assert.Equal("beta", Assert.Single(onlyBeta.EnumerateArray()).GetProperty("stream").GetProperty("team").GetString());
        var notAlpha = (await GetAsync(Query("{app=\"shared\", __tenant_id__!~\"iso-a.*\"}"))).GetProperty("result");
        Assert.Equal("iso-beta", Assert.Single(notAlpha.EnumerateArray()).GetProperty("stream").GetProperty("__tenant_id__").GetString());

        // Metric queries see the label before aggregating.
        var instant = $"/loki/api/v1/query?time={now + 1_000_000_000}&query=";
        var byTenant = (await GetAsync(instant + Uri.EscapeDataString("sum by (__tenant_id__) (count_over_time({app=\"shared\"}[5m]))"))).GetProperty("result");
        Assert.Equal(
            ["iso-alpha=6", "iso-beta=4"],
            byTenant.EnumerateArray().Select(s => $"{s.GetProperty("metric").GetProperty("__tenant_id__").GetString()}={s.GetProperty("value")[1].GetString()}").Order(StringComparer.Ordinal));
        var total = (await GetAsync(instant + Uri.EscapeDataString("sum(count_over_time({app=\"shared\"}[5m]))"))).GetProperty("result");
        Assert.Equal("10", Assert.Single(total.EnumerateArray()).GetProperty("value")[1].GetString());
        var matrix = (await GetAsync(Query("sum by (__tenant_id__, team) (count_over_time({app=\"shared\"}[5m]))") + "&step=60")).GetProperty("result");
        Assert.Equal(
            ["iso-alpha/alpha", "iso-beta/beta"],
            matrix.EnumerateArray().Select(s => $"{s.GetProperty("metric").GetProperty("__tenant_id__").GetString()}/{s.GetProperty("metric").GetProperty("team").GetString()}").Order(StringComparer.Ordinal));

        // Metadata endpoints.
        var labels = (await GetAsync($"/loki/api/v1/labels?{range}")).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("__tenant_id__", labels);
        Assert.Contains("only_alpha", labels);
        Assert.Contains("only_beta", labels);
        Assert.Equal(["iso-alpha", "iso-beta"], (await GetAsync($"/loki/api/v1/label/__tenant_id__/values?{range}")).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["alpha", "beta"], (await GetAsync($"/loki/api/v1/label/team/values?{range}")).EnumerateArray().Select(e => e.GetString()));
        var series = await GetAsync($"/loki/api/v1/series?match[]={Uri.EscapeDataString("{app=\"shared\"}")}&{range}");
        Assert.Equal(
            ["iso-alpha alpha", "iso-beta beta"],
            series.EnumerateArray().Select(s => $"{s.GetProperty("__tenant_id__").GetString()} {s.GetProperty("team").GetString()}").Order(StringComparer.Ordinal));

        // One tenant alone: its own data, no tenant label.
        var single = (await GetAsync(Query("{app=\"shared\"}"), "iso-alpha")).GetProperty("result");
        var stream = Assert.Single(single.EnumerateArray()).GetProperty("stream");
        Assert.Equal("alpha", stream.GetProperty("team").GetString());
        Assert.False(stream.TryGetProperty("__tenant_id__", out _));
        Assert.DoesNotContain("__tenant_id__", (await GetAsync($"/loki/api/v1/labels?{range}", "iso-alpha")).EnumerateArray().Select(e => e.GetString()));
    }
}
