using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>A server with auth_enabled, built-in auth and a fast ruler (1s evaluation, 1s poll).</summary>
public sealed class RulesApiFixture : IAsyncLifetime
{
    public LokiTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LokiTestServer.StartAsync("""
        auth_enabled: true
        auth:
          tokens:
            - token: admin
              tenants_write: ["*"]
              tenants_read: ["*"]
            - token: reader
              tenants_read: [team-a]
        ruler:
          evaluation_interval: 1s
          poll_interval: 1s
        """);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The rules API (YAML in and out, Loki's codes and texts), the Prometheus rules API, tenancy and auth.</summary>
public sealed class RulesApiTests(RulesApiFixture fixture) : IClassFixture<RulesApiFixture>
{
    private const string Admin = "Bearer admin";
    private LokiTestServer Server => fixture.Server;

    private static string Group(string name, string app) => $$$"""
        name: {{{name}}}
        rules:
          - alert: Errors_{{{name}}}
            expr: sum by (app) (count_over_time({app="{{{app}}}"} |= "error" [1m])) > 2
            labels:
              severity: page
            annotations:
              summary: "{{ $labels.app }} logs {{ $value }} errors"
          - record: app:lines:count1m
            expr: sum by (app) (count_over_time({app="{{{app}}}"}[1m]))
        """;

    [Fact]
    public async Task RulesApi_RoundTrip_PostGetDelete()
    {
        const string tenant = "roundtrip";
        var post = await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/my%2Fns", Group("g1", "x"), tenant, Admin);
        Assert.Equal(HttpStatusCode.Accepted, post.Status);
        Assert.Equal("""{"status":"success","data":null,"errorType":"","error":""}""", post.Body);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Post, "/api/prom/rules/my%2Fns", Group("g2", "y"), tenant, Admin)).Status);

        var all = await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules", tenant: tenant, authorization: Admin);
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal("application/yaml", all.ContentType);
        Assert.StartsWith("my/ns:\n", all.Body, StringComparison.Ordinal);
        Assert.Contains("- name: g1", all.Body, StringComparison.Ordinal);
        Assert.Contains("- name: g2", all.Body, StringComparison.Ordinal);

        var ns = await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules/my%2Fns", tenant: tenant, authorization: Admin);
        Assert.Equal(all.Body, ns.Body);

        var group = await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules/my%2Fns/g1", tenant: tenant, authorization: Admin);
        Assert.Equal(HttpStatusCode.OK, group.Status);
        Assert.StartsWith("name: g1\nrules:\n- alert: Errors_g1\n", group.Body, StringComparison.Ordinal);
        Assert.Contains("summary: '{{ $labels.app }} logs {{ $value }} errors'", group.Body, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Delete, "/loki/api/v1/rules/my%2Fns/g1", tenant: tenant, authorization: Admin)).Status);
        var gone = await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules/my%2Fns/g1", tenant: tenant, authorization: Admin);
        Assert.Equal((HttpStatusCode.NotFound, "group does not exist"), (gone.Status, gone.Body.Trim()));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendTextAsync(HttpMethod.Delete, "/loki/api/v1/rules/my%2Fns/g1", tenant: tenant, authorization: Admin)).Status);

        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Delete, "/api/prom/rules/my%2Fns", tenant: tenant, authorization: Admin)).Status);
        var none = await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules", tenant: tenant, authorization: Admin);
        Assert.Equal((HttpStatusCode.NotFound, "no rule groups found"), (none.Status, none.Body.Trim()));
        var noNs = await Server.SendTextAsync(HttpMethod.Delete, "/loki/api/v1/rules/my%2Fns", tenant: tenant, authorization: Admin);
        Assert.Equal((HttpStatusCode.NotFound, "group namespace does not exist"), (noNs.Status, noNs.Body.Trim()));
    }

    [Theory]
    [InlineData("name: g\nrules:\n  - alert: A\n    expr: 'sum(rate({a=\"b\"}[1m])'\n", "could not parse expression for alert 'A' in group 'g': ")]
    [InlineData("name: g\nrules:\n  - record: r\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    for: 1m\n", "invalid field 'for' in recording rule")]
    [InlineData("name: g\nrules:\n  - alert: A\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    severity: page\n", "unable to decoded rule group: yaml: unmarshal errors:\n  line 5: field severity not found in type rulefmt.RuleNode")]
    [InlineData("name: g\nrules: [\n", "unable to decoded rule group: ")]
    public async Task Post_InvalidGroup_Is400WithLokisText(string yaml, string expected)
    {
        var (status, body, _) = await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/ns", yaml, "invalid", Admin);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(expected, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathTraversal_InNamespace_IsRefused()
    {
        var (status, body, _) = await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/..%2F..%2Fetc", Group("g", "x"), "trav", Admin);
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("invalid namespace: path traversal not allowed", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_MissingCredential401_ReadOnlyCredential403_ForWrites()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules", tenant: "team-a")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules", tenant: "team-a")).Status);
        var write = await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/ns", Group("g", "x"), "team-a", "Bearer reader");
        Assert.Equal(HttpStatusCode.Forbidden, write.Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.SendTextAsync(HttpMethod.Delete, "/api/prom/rules/ns", tenant: "team-a", authorization: "Bearer reader")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules", tenant: "team-b", authorization: "Bearer reader")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules", tenant: "team-a", authorization: "Bearer reader")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules", authorization: Admin)).Status);
    }

    [Fact]
    public async Task Tenants_NeverSeeOrEvaluateEachOthersRules()
    {
        var now = TestClock.NowNs;
        // Only tenant iso-b has error lines; only tenant iso-a has the rule.
        await Server.PushOkAsync("""{"app":"iso"}""", Enumerable.Range(0, 5).Select(i => (now - 1_000_000_000L + i, $"error {i}")), "iso-b", Admin);
        await Server.PushOkAsync("""{"app":"iso"}""", [(now, "fine")], "iso-a", Admin);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/ns", Group("iso", "iso"), "iso-a", Admin)).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules", tenant: "iso-b", authorization: Admin)).Status);
        var other = await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules", tenant: "iso-b", authorization: Admin);
        Assert.Equal("""{"status":"success","data":{"groups":[]},"errorType":"","error":""}""", other.Body);

        // Tenant a's group evaluates over a's data only: one line, no error lines, so the alert stays inactive.
        using var doc = await EvaluatedAsync("iso-a", "iso");
        var group = doc.RootElement.GetProperty("data").GetProperty("groups")[0];
        Assert.Equal("ns", group.GetProperty("file").GetString());
        var alert = group.GetProperty("rules")[0];
        Assert.Equal(("inactive", "ok", 0), (alert.GetProperty("state").GetString(), alert.GetProperty("health").GetString(), alert.GetProperty("alerts").GetArrayLength()));
        var alerts = await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/alerts", tenant: "iso-b", authorization: Admin);
        Assert.Equal("""{"status":"success","data":{"alerts":[]},"errorType":"","error":""}""", alerts.Body);
    }

    [Fact]
    public async Task PrometheusApi_ShowsFiringAlertsHealthAndFilters()
    {
        const string tenant = "promapi";
        var now = TestClock.NowNs;
        await Server.PushOkAsync("""{"app":"papi"}""", Enumerable.Range(0, 6).Select(i => (now - 1_000_000_000L + i, $"error {i}")), tenant, Admin);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/ns1", Group("papi", "papi"), tenant, Admin)).Status);

        using var doc = await Eventually.HoldsAsync(async () =>
            JsonDocument.Parse((await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules", tenant: tenant, authorization: Admin)).Body),
            d => d.RootElement.GetProperty("data").GetProperty("groups")[0].GetProperty("rules")[0].GetProperty("state").GetString() == "firing",
            TimeSpan.FromSeconds(20), "alert firing in /prometheus/api/v1/rules");
        var group = doc.RootElement.GetProperty("data").GetProperty("groups")[0];
        Assert.Equal(("papi", "ns1", 1.0, 0), (group.GetProperty("name").GetString(), group.GetProperty("file").GetString(), group.GetProperty("interval").GetDouble(), group.GetProperty("limit").GetInt32()));
        var alertRule = group.GetProperty("rules")[0];
        Assert.Equal(("Errors_papi", "alerting", "ok", 0.0), (alertRule.GetProperty("name").GetString(), alertRule.GetProperty("type").GetString(), alertRule.GetProperty("health").GetString(), alertRule.GetProperty("duration").GetDouble()));
        var alert = alertRule.GetProperty("alerts")[0];
        Assert.Equal("firing", alert.GetProperty("state").GetString());
        Assert.Equal("6e+00", alert.GetProperty("value").GetString());
        Assert.Equal("papi logs 6 errors", alert.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("Errors_papi", alert.GetProperty("labels").GetProperty("alertname").GetString());
        var record = group.GetProperty("rules")[1];
        Assert.Equal(("app:lines:count1m", "recording", "ok"), (record.GetProperty("name").GetString(), record.GetProperty("type").GetString(), record.GetProperty("health").GetString()));
        Assert.NotEqual("0001-01-01T00:00:00Z", record.GetProperty("lastEvaluation").GetString());

        var recordOnly = JsonDocument.Parse((await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules?type=record", tenant: tenant, authorization: Admin)).Body);
        var rules = recordOnly.RootElement.GetProperty("data").GetProperty("groups")[0].GetProperty("rules");
        Assert.Equal("recording", Assert.Single(rules.EnumerateArray()).GetProperty("type").GetString());
        var byName = JsonDocument.Parse((await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules?rule_name[]=nope", tenant: tenant, authorization: Admin)).Body);
        Assert.Equal(0, byName.RootElement.GetProperty("data").GetProperty("groups").GetArrayLength());
        var byFile = JsonDocument.Parse((await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules?file=other&rule_group=papi", tenant: tenant, authorization: Admin)).Body);
        Assert.Equal(0, byFile.RootElement.GetProperty("data").GetProperty("groups").GetArrayLength());
        var bad = await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules?type=foo", tenant: tenant, authorization: Admin);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("""{"status":"error","data":null,"errorType":"bad_data","error":"not supported value \"foo\""}""", bad.Body);

        var alerts = JsonDocument.Parse((await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/alerts", tenant: tenant, authorization: Admin)).Body);
        Assert.Equal("firing", alerts.RootElement.GetProperty("data").GetProperty("alerts")[0].GetProperty("state").GetString());

        var metrics = (await Server.SendTextAsync(HttpMethod.Get, "/metrics")).Body;
        Assert.Contains("loki_prometheus_rule_group_last_evaluation_timestamp_seconds{user=\"promapi\",rule_group=\"ns1;papi\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("loki_prometheus_rule_evaluations_total{user=\"promapi\",rule_group=\"ns1;papi\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("loki_prometheus_rule_group_rules{user=\"promapi\",rule_group=\"ns1;papi\"} 2", metrics, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> EvaluatedAsync(string tenant, string group) =>
        await Eventually.HoldsAsync(async () =>
            JsonDocument.Parse((await Server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules", tenant: tenant, authorization: Admin)).Body),
            d => d.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().Any(g => g.GetProperty("name").GetString() == group && g.GetProperty("lastEvaluation").GetString() != "0001-01-01T00:00:00Z"),
            TimeSpan.FromSeconds(20), $"group {group} of {tenant} evaluated");
}
