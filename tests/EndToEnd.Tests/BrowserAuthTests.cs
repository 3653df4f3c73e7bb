using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>The web UI against a server with <c>auth_enabled</c> and a bearer token: the page's tenant and token are used.</summary>
public sealed class BrowserAuthTests(ITestOutputHelper output)
{
    private const string Token = "ui-secret-token";

    [Fact]
    public async Task With_auth_the_page_queries_and_tails_with_its_tenant_and_token()
    {
        await using var loki = await LokiProcess.StartAsync($$"""
            auth_enabled: true
            auth:
              tokens:
                - token: {{Token}}
                  tenants_read: [team-ui]
                  tenants_write: [team-ui]
            """);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        using (var push = new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push")
        {
            Content = new StringContent($"{{\"streams\":[{{\"stream\":{{\"app\":\"secure\"}},\"values\":[[\"{now - 2_000_000_000}\",\"level=info msg=only-for-team-ui\"]]}}]}}", Encoding.UTF8, "application/json"),
        })
        {
            push.Headers.Add("X-Scope-OrgID", "team-ui");
            push.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            using var pushed = await loki.Client.SendAsync(push);
            Assert.Equal(HttpStatusCode.NoContent, pushed.StatusCode);
        }
        var baseUrl = $"http://127.0.0.1:{loki.HttpPort}";
        var from = ((now / 1_000_000) - 600_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var to = ((now / 1_000_000) + 60_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var logs = await Browser.RunAsync(new JsonObject
        {
            ["scenario"] = "logs", ["base"] = baseUrl, ["query"] = "{app=\"secure\"}", ["from"] = from, ["to"] = to,
            ["tenant"] = "team-ui", ["token"] = Token, ["screenshot"] = Path.Combine(Browser.ScreenshotDir, "auth.png"),
        }, output);
        Assert.Equal(["level=info msg=only-for-team-ui"], logs["lines"]!.AsArray().Select(n => n!.GetValue<string>()));

        // The live tail carries tenant and token over the websocket too.
        var line = "level=info msg=tail-" + Guid.NewGuid().ToString("n");
        var tail = await Browser.RunAsync(new JsonObject
        {
            ["scenario"] = "tail", ["base"] = baseUrl, ["query"] = "{app=\"secure\"}", ["labels"] = new JsonObject { ["app"] = "secure" },
            ["line"] = line, ["tenant"] = "team-ui", ["token"] = Token,
        }, output);
        Assert.Contains(line, tail["lines"]!.AsArray().Select(n => n!.GetValue<string>()));

        // Without the token the server's refusal is shown next to the query.
        var refused = await Browser.RunAsync(new JsonObject
        {
            ["scenario"] = "error", ["base"] = baseUrl, ["query"] = "{app=\"secure\"}", ["tenant"] = "team-ui",
        }, output);
        Assert.Equal("unauthorized", refused["text"]!.GetValue<string>());
    }
}
