using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>The <c>ruler:</c> section as the binary loads it.</summary>
public sealed class RulerConfigTests
{
    [Fact]
    public void RulerKeys_AreApplied()
    {
        var settings = new LokiSettings();
        ConfigLoader.ApplyYaml(settings, """
            ruler:
              evaluation_interval: 15s
              poll_interval: 30s
              external_url: http://grafana/
              external_labels: { cluster: c1 }
              alertmanager_url: http://a:9093,http://b:9093/p
              resend_delay: 2m
              notification_queue_capacity: 50
              storage: { type: local, local: { directory: /rules } }
              remote_write:
                enabled: true
                clients:
                  prom: { url: 'http://p:9090/api/v1/write', queue_config: { capacity: 7, max_backoff: 1s } }
            limits_config:
              ruler_max_rule_groups_per_tenant: 3
            """, "test.yaml");
        var r = settings.Ruler;
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), "http://grafana", "c1"), (r.EvaluationInterval, r.PollInterval, r.ExternalUrl, r.ExternalLabels["cluster"]));
        Assert.Equal(("http://a:9093,http://b:9093/p", TimeSpan.FromMinutes(2), 50), (r.AlertmanagerUrl, r.ResendDelay, r.NotificationQueueCapacity));
        Assert.Equal(("local", "/rules", 3), (r.StorageType, r.LocalDirectory, r.MaxRuleGroupsPerTenant));
        Assert.True(r.RemoteWrite.Enabled);
        Assert.Equal(("http://p:9090/api/v1/write", 7, TimeSpan.FromSeconds(1)), (r.RemoteWrite.Clients["prom"].Url, r.RemoteWrite.Clients["prom"].QueueCapacity, r.RemoteWrite.Clients["prom"].MaxBackoff));
        Assert.Empty(settings.Warnings);
    }

    [Theory]
    [InlineData("ruler:\n  remote_write:\n    enabled: true\n", "remote-write enabled but no clients are configured")]
    [InlineData("ruler:\n  alertmanager_url: 'am:9093'\n", "ruler.alertmanager_url: invalid alertmanager_url 'am:9093': expected an http(s) URL")]
    [InlineData("ruler:\n  storage:\n    type: local\n", "ruler.storage.local.directory must be set when ruler.storage.type is local")]
    [InlineData("ruler:\n  evaluation_interval: 0s\n", "ruler.evaluation_interval must be positive")]
    public void BadRulerConfig_StopsStartUpWithAClearError(string yaml, string expected)
    {
        var dir = Path.Combine(Path.GetTempPath(), "loki-ruler-cfg-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "c.yaml");
        File.WriteAllText(file, yaml);
        try
        {
            Assert.True(CommandLine.TryParse([$"-config.file={file}"], out var flags, out _));
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(flags));
            Assert.Equal(expected, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
