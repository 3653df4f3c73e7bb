using System.Text.RegularExpressions;
using Orleans.Loki.Grains.Placement;
using Orleans.Loki.Silo.Configuration;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Cluster.Tests;

/// <summary>
/// Parses every manifest under <c>deploy/k8s</c> and checks what a typo would break: kustomization paths,
/// selectors ↔ pod labels, Service ports ↔ container ports, ConfigMaps, Secrets and service accounts that exist,
/// the server config against the keys the server accepts, probes, the RBAC verbs Orleans' Kubernetes hosting needs,
/// and the gateway's upstreams.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly string s_root = FindRoot();

    private sealed record Manifest(string File, string Kind, string Name, YamlMappingNode Node);

    public static TheoryData<string> Overlays => new() { "overlays/azure", "overlays/s3" };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_references_resolve_and_workloads_are_consistent(string overlay)
    {
        var manifests = Build(Path.Combine(s_root, overlay));
        var workloads = manifests.Where(m => m.Kind is "Deployment" or "StatefulSet").ToList();
        Assert.Contains(workloads, w => w.Kind == "StatefulSet" && w.Name == "loki-write");
        Assert.Contains(workloads, w => w.Kind == "Deployment" && w.Name == "loki-read");
        Assert.Contains(workloads, w => w.Kind == "Deployment" && w.Name == "loki-backend");

        var configMaps = manifests.Where(m => m.Kind == "ConfigMap").Select(m => m.Name).ToHashSet();
        var secrets = manifests.Where(m => m.Kind == "Secret").Select(m => m.Name).ToHashSet();
        var accounts = manifests.Where(m => m.Kind == "ServiceAccount").Select(m => m.Name).ToHashSet();
        var services = manifests.Where(m => m.Kind == "Service").ToDictionary(m => m.Name);

        foreach (var w in workloads)
        {
            var spec = Map(w.Node, "spec");
            var template = Map(spec, "template");
            var labels = Labels(Map(Map(template, "metadata"), "labels"));
            var selector = Labels(Map(Map(spec, "selector"), "matchLabels"));
            Assert.True(selector.All(kv => labels.GetValueOrDefault(kv.Key) == kv.Value), $"{w.Name}: selector does not match its pod labels");
            var pod = Map(template, "spec");
            if (Text(pod, "serviceAccountName") is { } account)
            {
                Assert.Contains(account, accounts);
            }
            foreach (var volume in Seq(pod, "volumes").Cast<YamlMappingNode>())
            {
                if (volume.Children.TryGetValue("configMap", out var cm))
                {
                    Assert.Contains(Text((YamlMappingNode)cm, "name")!, configMaps);
                }
            }
            if (w.Kind == "StatefulSet")
            {
                var headless = services[Text(spec, "serviceName")!];
                Assert.Equal("None", Text(Map(headless.Node, "spec"), "clusterIP"));
            }
            foreach (var container in Seq(pod, "containers").Cast<YamlMappingNode>())
            {
                Assert.True(container.Children.ContainsKey("resources"), $"{w.Name}: no resources");
                foreach (var envFrom in Seq(container, "envFrom").Cast<YamlMappingNode>())
                {
                    Assert.Contains(Text(Map(envFrom, "secretRef"), "name")!, secrets);
                }
                if (Text(container, "name") != "loki")
                {
                    continue;
                }
                var args = Seq(container, "args").Select(a => ((YamlScalarNode)a).Value!).ToList();
                var target = args.Single(a => a.StartsWith("-target=", StringComparison.Ordinal))["-target=".Length..];
                Assert.NotNull(LokiModules.Expand(target, out _));
                Assert.Contains("-config.file=/etc/loki/loki.yaml", args);
                Assert.Equal("/ready", Text(Map(Map(container, "readinessProbe"), "httpGet"), "path"));
                // Liveness must never depend on the WAL replay (/ready is 503 until it is done).
                var liveness = Map(container, "livenessProbe");
                Assert.False(liveness.Children.ContainsKey("httpGet") && Text(Map(liveness, "httpGet"), "path") == "/ready", $"{w.Name}: liveness on /ready");
                var names = new[] { "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID", "POD_NAMESPACE", "POD_NAME", "POD_IP" };
                var env = Seq(container, "env").Cast<YamlMappingNode>().Select(e => Text(e, "name")).ToHashSet();
                Assert.True(names.All(env.Contains), $"{w.Name}: Kubernetes hosting needs {string.Join(", ", names)}");
                Assert.Equal("orleans-loki", labels.GetValueOrDefault("orleans/serviceId"));
                Assert.Equal("loki", labels.GetValueOrDefault("orleans/clusterId"));
            }
        }

        foreach (var service in services.Values)
        {
            var spec = Map(service.Node, "spec");
            var selector = Labels(Map(spec, "selector"));
            var matched = workloads.Where(w => selector.All(kv => Labels(Map(Map(Map(Map(w.Node, "spec"), "template"), "metadata"), "labels")).GetValueOrDefault(kv.Key) == kv.Value)).ToList();
            Assert.True(matched.Count > 0, $"Service {service.Name} selects no pods");
            foreach (var port in Seq(spec, "ports").Cast<YamlMappingNode>())
            {
                var targetPort = Text(port, "targetPort")!;
                foreach (var w in matched)
                {
                    var containerPorts = Seq(Map(Map(Map(w.Node, "spec"), "template"), "spec"), "containers").Cast<YamlMappingNode>()
                        .SelectMany(c => Seq(c, "ports").Cast<YamlMappingNode>())
                        .SelectMany(p => new[] { Text(p, "name"), Text(p, "containerPort") })
                        .ToHashSet();
                    Assert.True(containerPorts.Contains(targetPort), $"Service {service.Name}: {w.Name} has no port {targetPort}");
                }
            }
        }

        foreach (var pdb in manifests.Where(m => m.Kind == "PodDisruptionBudget"))
        {
            var selector = Labels(Map(Map(Map(pdb.Node, "spec"), "selector"), "matchLabels"));
            Assert.Contains(workloads, w => selector.All(kv => Labels(Map(Map(Map(Map(w.Node, "spec"), "template"), "metadata"), "labels")).GetValueOrDefault(kv.Key) == kv.Value));
        }
        Assert.Equal(3, manifests.Count(m => m.Kind == "PodDisruptionBudget"));

        // RBAC: Orleans' Kubernetes hosting lists and watches the pods of its cluster and deletes dead silos' pods.
        var role = manifests.Single(m => m.Kind == "Role");
        var rules = Seq(role.Node, "rules").Cast<YamlMappingNode>().ToList();
        var podRule = rules.Single(r => Seq(r, "resources").Any(x => ((YamlScalarNode)x).Value == "pods"));
        var verbs = Seq(podRule, "verbs").Select(v => ((YamlScalarNode)v).Value).ToHashSet();
        Assert.True(new[] { "get", "list", "watch", "delete", "patch" }.All(verbs.Contains), "pod verbs");
        var binding = manifests.Single(m => m.Kind == "RoleBinding");
        Assert.Equal(role.Name, Text(Map(binding.Node, "roleRef"), "name"));
        Assert.All(Seq(binding.Node, "subjects").Cast<YamlMappingNode>(), s => Assert.Contains(Text(s, "name")!, accounts));

        // The server's config: every key is one the server accepts (an unknown key would only be a warning).
        var config = manifests.Single(m => m.Kind == "ConfigMap" && m.Name == "orleans-loki-config");
        var settings = new LokiSettings();
        ConfigLoader.ApplyYaml(settings, Text(Map(config.Node, "data"), "loki.yaml")!, "loki.yaml");
        Assert.Empty(settings.Warnings);
        Assert.Equal("kubernetes", settings.Cluster.Provider);
        Assert.NotNull(settings.AzureConnectionString);
        if (overlay.EndsWith("s3", StringComparison.Ordinal))
        {
            Assert.Equal("${S3_BUCKET}", settings.S3?.BucketName);
        }

        // The gateway: every upstream is a Service of the deployment on its port, and each role gets its paths.
        var nginx = Text(Map(manifests.Single(m => m.Kind == "ConfigMap" && m.Name == "loki-gateway").Node, "data"), "nginx.conf")!;
        var upstreams = Upstream().Matches(nginx).Select(m => (Service: m.Groups[1].Value, Port: m.Groups[2].Value)).ToList();
        Assert.NotEmpty(upstreams);
        foreach (var (name, port) in upstreams)
        {
            Assert.True(services.TryGetValue(name, out var s), $"gateway upstream {name} is no Service");
            Assert.Contains(Seq(Map(s!.Node, "spec"), "ports").Cast<YamlMappingNode>(), p => Text(p, "port") == port);
        }
        Assert.Matches(@"location = /loki/api/v1/push \{ proxy_pass http://loki-write\.", nginx);
        Assert.Matches(@"location /loki/api/v1/rules \{ proxy_pass http://loki-backend\.", nginx);
        Assert.Matches(@"location /loki/api/ \{ proxy_pass http://loki-read\.", nginx);
    }

    [GeneratedRegex(@"proxy_pass http://([a-z0-9-]+)\.\$NAMESPACE\.svc\.cluster\.local:(\d+)")]
    private static partial Regex Upstream();

    /// <summary>The resources of a kustomization, recursively, with strategic-merge patches applied by name (whole-document replace of <c>data</c>).</summary>
    private static List<Manifest> Build(string dir)
    {
        var kustomization = Load(Path.Combine(dir, "kustomization.yaml")).Single();
        var result = new List<Manifest>();
        foreach (var resource in Seq(kustomization, "resources").Select(r => ((YamlScalarNode)r).Value!))
        {
            var path = Path.GetFullPath(Path.Combine(dir, resource));
            if (Directory.Exists(path))
            {
                result.AddRange(Build(path));
            }
            else
            {
                Assert.True(File.Exists(path), $"{dir}: resource {resource} does not exist");
                result.AddRange(Load(path).Select(n => new Manifest(path, Text(n, "kind")!, Text(Map(n, "metadata"), "name")!, n)));
            }
        }
        foreach (var patch in Seq(kustomization, "patches").Cast<YamlMappingNode>())
        {
            var path = Path.Combine(dir, Text(patch, "path")!);
            Assert.True(File.Exists(path), $"{dir}: patch {path} does not exist");
            foreach (var node in Load(path))
            {
                var kind = Text(node, "kind");
                var name = Text(Map(node, "metadata"), "name");
                var index = result.FindIndex(m => m.Kind == kind && m.Name == name);
                Assert.True(index >= 0, $"patch {path} targets no {kind} {name}");
                result[index] = result[index] with { Node = node };
            }
        }
        foreach (var generator in Seq(kustomization, "secretGenerator").Cast<YamlMappingNode>())
        {
            result.Add(new Manifest(dir, "Secret", Text(generator, "name")!, generator));
        }
        return result;
    }

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlMappingNode map ? map : throw new Xunit.Sdk.XunitException($"missing mapping '{key}'");

    private static IEnumerable<YamlNode> Seq(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode seq ? seq.Children : [];

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static Dictionary<string, string> Labels(YamlMappingNode node) =>
        node.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "deploy", "k8s");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("deploy/k8s not found above the test binaries");
    }
}
