using System.Net;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Ruler.Tests;

/// <summary><c>ruler.storage.type: local</c>: rule files under <c>&lt;dir&gt;/fake/</c> are loaded and evaluated; the API cannot change them.</summary>
public sealed class LocalStoreTests
{
    [Fact]
    public async Task LocalStore_LoadsTenantFiles_AndRefusesWrites()
    {
        var root = Path.Combine(Path.GetTempPath(), "loki-ruler-local-" + Guid.NewGuid().ToString("n"));
        var rules = Path.Combine(root, "rules");
        Directory.CreateDirectory(Path.Combine(rules, "fake", "subdir"));
        await File.WriteAllTextAsync(Path.Combine(rules, "fake", "app.yaml"), """
            groups:
              - name: local
                rules:
                  - record: local:lines:count
                    expr: sum(count_over_time({app="local"}[1m]))
            """);
        await File.WriteAllTextAsync(Path.Combine(rules, "fake", ".hidden.yaml"), "groups: [{name: hidden, rules: []}]");
        await File.WriteAllTextAsync(Path.Combine(rules, "fake", "broken.yaml"), "groups:\n  - name: b\n    bogus: 1\n");
        await using var server = await LokiTestServer.StartAsync($"""
            ruler:
              evaluation_interval: 1s
              poll_interval: 1s
              storage:
                type: local
                local:
                  directory: {rules}
            """, Path.Combine(root, "server"));

        var all = await server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.StartsWith("app.yaml:\n- name: local\n", all.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", all.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("broken", all.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await server.SendTextAsync(HttpMethod.Get, "/loki/api/v1/rules/app.yaml/local")).Status);

        var post = await server.SendTextAsync(HttpMethod.Post, "/loki/api/v1/rules/app.yaml", "name: x\nrules: []\n");
        Assert.Equal(HttpStatusCode.InternalServerError, post.Status);
        Assert.Equal("""{"status":"error","data":null,"errorType":"server","error":"SetRuleGroup unsupported in rule local store"}""", post.Body);
        var delete = await server.SendTextAsync(HttpMethod.Delete, "/loki/api/v1/rules/app.yaml/local");
        Assert.Equal(HttpStatusCode.InternalServerError, delete.Status);

        // The file's group is evaluated by the rule sync (no API call involved).
        await Eventually.HoldsAsync(async () => (await server.SendTextAsync(HttpMethod.Get, "/prometheus/api/v1/rules")).Body,
            b => b.Contains("\"health\":\"ok\"", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "local group evaluated");
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
