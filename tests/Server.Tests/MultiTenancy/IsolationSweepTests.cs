using System.Net;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>
/// Two tenants push overlapping label sets; every read endpoint answers each tenant with its own data only.
/// Every value (and one field name) of tenant "iso-alpha" contains "alpha" and every value of "iso-beta" contains "beta", so a leak shows
/// up as the other tenant's word in a response.
/// </summary>
public sealed class IsolationSweepTests
{
    private static readonly (string Tenant, string Own, string Foreign)[] s_tenants = [("iso-alpha", "alpha", "beta"), ("iso-beta", "beta", "alpha")];

    /// <summary>Every read endpoint, with whether the tenant's own data must appear in the answer.</summary>
    private static IEnumerable<(string Name, string Url, bool ExpectOwn)> Endpoints(long now, string foreign)
    {
        var range = $"start={now - 60_000_000_000}&end={now + 60_000_000_000}";
        var selector = Uri.EscapeDataString("{app=\"shared\"}");
        var metric = Uri.EscapeDataString("sum by (team, only) (count_over_time({app=\"shared\"}[5m]))");
        yield return ("query_range logs", $"/loki/api/v1/query_range?query={selector}&{range}", true);
        yield return ("query_range logs filtered", $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"shared\"} |= \"secret\"")}&{range}", true);
        yield return ("query_range metric", $"/loki/api/v1/query_range?query={metric}&{range}&step=10", true);
        yield return ("query instant metric", $"/loki/api/v1/query?query={metric}&time={now + 1_000_000_000}", true);
        yield return ("labels", $"/loki/api/v1/labels?{range}", true);
        yield return ("label values", $"/loki/api/v1/label/team/values?{range}", true);
        yield return ("label values with selector", $"/loki/api/v1/label/only/values?{range}&query={selector}", true);
        yield return ("foreign-only label values", $"/loki/api/v1/label/only_{foreign}/values?{range}", false);
        yield return ("series", $"/loki/api/v1/series?match[]={selector}&{range}", true);
        yield return ("index/stats", $"/loki/api/v1/index/stats?query={selector}&{range}", false);
        yield return ("index/volume", $"/loki/api/v1/index/volume?query={selector}&{range}&targetLabels=team", true);
        yield return ("index/volume_range", $"/loki/api/v1/index/volume_range?query={selector}&{range}&targetLabels=team&step=10s", true);
        yield return ("detected_labels", $"/loki/api/v1/detected_labels?query={selector}&{range}", true);
        yield return ("detected_fields", $"/loki/api/v1/detected_fields?query={selector}&{range}", true);
        yield return ("detected_field values", $"/loki/api/v1/detected_field/who/values?query={selector}&{range}", true);
        yield return ("foreign detected_field values", $"/loki/api/v1/detected_field/{foreign}_field/values?query={selector}&{range}", false);
        yield return ("patterns", $"/loki/api/v1/patterns?query={selector}&{range}&step=1m", false);
    }

    [Fact]
    public async Task EveryReadEndpoint_AnswersEachTenantWithItsOwnDataOnly()
    {
        await using var server = await LokiTestServer.StartAsync("auth_enabled: true");
        var now = TestClock.NowNs;
        foreach (var (tenant, own, _) in s_tenants)
        {
            var (status, body, _) = await server.PushAsync(
                $"{{\"app\":\"shared\",\"team\":\"{own}\",\"only\":\"{own}-value\",\"only_{own}\":\"{own}-only\"}}",
                [.. Enumerable.Range(0, 6).Select(i => (now + i, $"msg=\"{own} secret line\" who={own} {own}_field={i}"))],
                tenant);
            Assert.True(status == HttpStatusCode.NoContent, body);
        }

        foreach (var (tenant, own, foreign) in s_tenants)
        {
            foreach (var (name, url, expectOwn) in Endpoints(now, foreign))
            {
                var (status, body, _) = await server.SendAsync(HttpMethod.Get, url, tenant: tenant);
                Assert.True(status == HttpStatusCode.OK, $"{tenant} {name}: {(int)status} {body}");
                Assert.DoesNotContain(foreign, body, StringComparison.Ordinal);
                if (expectOwn)
                {
                    Assert.True(body.Contains(own, StringComparison.Ordinal), $"{tenant} {name} misses its own data: {body}");
                }
                if (name == "index/stats")
                {
                    // Numbers only: each tenant has exactly its own one stream and six entries.
                    Assert.Contains("\"streams\":1,", body);
                    Assert.Contains("\"entries\":6", body);
                }
            }
        }
    }
}
