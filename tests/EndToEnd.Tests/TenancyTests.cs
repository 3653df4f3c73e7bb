using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>With <c>auth_enabled: true</c>, every request names its tenant and sees only that tenant's data.</summary>
public sealed class TenancyTests
{

    [Fact]
    public async Task TwoTenants_SameLabels_SeeOnlyTheirOwnData_AndMissingOrgIdIs401()
    {
        await using var loki = await LokiProcess.StartAsync("auth_enabled: true");
        var now = TestClock.NowNs;
        foreach (var tenant in new[] { "team-a", "team-b" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push")
            {
                Content = PushQueryTests.JsonPush("{\"app\":\"shared\"}", [(now, $"secret of {tenant}")]),
            };
            request.Headers.Add("X-Scope-OrgID", tenant);
            using var push = await loki.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
        }

        using (var anonymous = await loki.Client.PostAsync("/loki/api/v1/push", PushQueryTests.JsonPush("{\"app\":\"x\"}", [(now, "x")])))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("no org id", (await anonymous.Content.ReadAsStringAsync()).Trim());
        }

        foreach (var tenant in new[] { "team-a", "team-b" })
        {
            var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"shared\"}")}&start={now - 1_000_000_000}&end={now + 1_000_000_000}";
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-Scope-OrgID", tenant);
            using var response = await loki.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(body);
            var lines = doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => v[1].GetString())).ToList();
            Assert.Equal([$"secret of {tenant}"], lines);

            using var labels = new HttpRequestMessage(HttpMethod.Get, $"/loki/api/v1/label/app/values?start={now - 1_000_000_000}&end={now + 1_000_000_000}");
            labels.Headers.Add("X-Scope-OrgID", tenant);
            using var labelsResponse = await loki.Client.SendAsync(labels);
            Assert.Equal("{\"status\":\"success\",\"data\":[\"shared\"]}", await labelsResponse.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task MetricQuery_And_HealthCheckQuery_ReturnLokiShapes()
    {
        await using var loki = await LokiProcess.StartAsync();
        var now = TestClock.NowNs;
        using (var push = await loki.Client.PostAsync("/loki/api/v1/push", PushQueryTests.JsonPush("{\"app\":\"m\"}",
            [(now, "level=error a"), (now + 1, "level=info b"), (now + 2, "level=error c")])))
        {
            Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
        }

        // Grafana's data source health check.
        var health = await loki.Client.GetStringAsync("/loki/api/v1/query?direction=backward&query=vector%281%29%2Bvector%281%29&time=4000000000");
        using (var doc = JsonDocument.Parse(health))
        {
            var data = doc.RootElement.GetProperty("data");
            Assert.Equal("vector", data.GetProperty("resultType").GetString());
            Assert.Equal("2", data.GetProperty("result")[0].GetProperty("value")[1].GetString());
        }

        var query = Uri.EscapeDataString("sum by (level) (count_over_time({app=\"m\"} | logfmt [1m]))");
        var at = (now + 1_000_000_000) / 1_000_000_000;
        var metric = await loki.Client.GetStringAsync($"/loki/api/v1/query?query={query}&time={at}");
        using (var doc = JsonDocument.Parse(metric))
        {
            var result = doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .ToDictionary(r => r.GetProperty("metric").GetProperty("level").GetString()!, r => r.GetProperty("value")[1].GetString());
            Assert.Equal(new Dictionary<string, string?> { ["error"] = "2", ["info"] = "1" }, result);
        }

        using var instantLog = await loki.Client.GetAsync($"/loki/api/v1/query?query={Uri.EscapeDataString("{app=\"m\"}")}");
        Assert.Equal(HttpStatusCode.BadRequest, instantLog.StatusCode);
        Assert.Equal("log queries are not supported as an instant query type, please change your query to a range query type", await instantLog.Content.ReadAsStringAsync());
    }
}
