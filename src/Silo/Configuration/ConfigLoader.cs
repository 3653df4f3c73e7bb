using System.Globalization;
using Orleans.Loki.Gateway.Limits;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>
/// Reads Loki's YAML config (the keys this implementation supports, with Loki's names) and the command-line flags,
/// which win over the file. Unknown keys are reported as warnings; bad values fail start-up with a clear error.
/// </summary>
public static partial class ConfigLoader
{
    public static LokiSettings Load(CommandLine flags)
    {
        var settings = new LokiSettings();
        var file = flags.Get("config.file");
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new ConfigException($"config file '{file}' does not exist");
            }
            var text = File.ReadAllText(file);
            if (flags.Get("config.expand-env") == "true")
            {
                text = ExpandEnv(text);
            }
            ApplyYaml(settings, text, file);
        }

        ApplyFlag(flags, "target", v => settings.Target = v);
        ApplyFlag(flags, "server.http-listen-port", v => settings.HttpListenPort = ParseInt("server.http_listen_port", v));
        ApplyFlag(flags, "server.http-listen-address", v => settings.HttpListenAddress = v);
        ApplyFlag(flags, "common.path-prefix", v => settings.PathPrefix = v);
        ApplyFlag(flags, "auth.enabled", v => settings.Gateway = settings.Gateway with { AuthEnabled = ParseBool("auth_enabled", v) });
        ApplyFlag(flags, "log.level", v => settings.LogLevel = v);

        Validate(settings);
        return settings;
    }

    public static void ApplyYaml(LokiSettings settings, string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException($"{source}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException($"{source}: the top level must be a mapping");
        }
        Walk(settings, root, "");
    }

    private static void Walk(LokiSettings settings, YamlMappingNode node, string prefix)
    {
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = prefix + ((YamlScalarNode)keyNode).Value;
            if (s_sections.Contains(key) || Array.IndexOf(s_rulerSections, key) >= 0 || Array.IndexOf(s_compatSections, key) >= 0 || key == "compactor")
            {
                if (valueNode is YamlMappingNode child)
                {
                    Walk(settings, child, key + ".");
                }
                else if (valueNode is not YamlScalarNode { Value: null or "" })
                {
                    throw new ConfigException($"config key '{key}' must be a mapping");
                }
                continue;
            }
            if (!s_setters.TryGetValue(key, out var setter) && !s_rulerSetters.TryGetValue(key, out setter) && !s_compatSetters.TryGetValue(key, out setter) && !s_compactorSetters.TryGetValue(key, out setter))
            {
                settings.Warnings.Add($"unknown or unsupported config key '{key}' is ignored");
                continue;
            }
            setter(settings, valueNode, key);
        }
    }

    private static void ApplyFlag(CommandLine flags, string name, Action<string> apply)
    {
        var value = flags.Get(name);
        if (value is not null)
        {
            apply(value);
        }
    }

    private static void Validate(LokiSettings s)
    {
        if (Orleans.Loki.Grains.Placement.LokiModules.Expand(s.Target, out var targetError) is null)
        {
            throw new ConfigException($"-target '{s.Target}': {targetError}");
        }
        if (s.HttpListenPort is < 0 or > 65535)
        {
            throw new ConfigException($"server.http_listen_port {s.HttpListenPort} is out of range");
        }
        if (s.Ingester.Validate() is { } problem)
        {
            throw new ConfigException(problem);
        }
        if (s.Gateway.Ingestion.Validate() is { } limitsProblem)
        {
            throw new ConfigException($"limits_config: {limitsProblem}");
        }
        if (s.Gateway.RuntimeConfig.File is { } runtimeFile)
        {
            if (!File.Exists(runtimeFile))
            {
                throw new ConfigException($"runtime_config.file '{runtimeFile}' does not exist");
            }
            if (!TryParseOverrides(File.ReadAllText(runtimeFile), TenantLimits.Defaults(s.Gateway), out _, out var runtimeError))
            {
                throw new ConfigException($"runtime_config.file '{runtimeFile}': {runtimeError}");
            }
            if (s.Gateway.RuntimeConfig.Period <= TimeSpan.Zero)
            {
                throw new ConfigException("runtime_config.period must be positive");
            }
        }
        ValidateRuler(s);
        ValidateCompactor(s);
        if (s.Cluster.Provider is not ("localhost" or "azure_table" or "kubernetes"))
        {
            throw new ConfigException($"cluster.provider '{s.Cluster.Provider}' is not supported: use localhost, azure_table or kubernetes");
        }
        if (s.S3 is { } s3 && s3.BucketName.Length == 0)
        {
            throw new ConfigException("storage_config.aws needs bucketnames");
        }
        if (s.Cluster.Provider is "azure_table" or "kubernetes" && s.AzureConnectionString is null)
        {
            throw new ConfigException($"cluster.provider {s.Cluster.Provider} needs storage_config.azure.connection_string (the membership table)");
        }
    }

    private static string ExpandEnv(string text) => EnvReference().Replace(text, m =>
    {
        var name = m.Groups[1].Value;
        var fallback = m.Groups[3].Success ? m.Groups[3].Value : "";
        return Environment.GetEnvironmentVariable(name) ?? fallback;
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}")]
    private static partial System.Text.RegularExpressions.Regex EnvReference();

    internal static string Scalar(YamlNode node, string key) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        _ => throw new ConfigException($"config key '{key}' must be a scalar value"),
    };

    internal static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ConfigException($"config key '{key}': '{value}' is not an integer");

    internal static double ParseDouble(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ConfigException($"config key '{key}': '{value}' is not a number");

    internal static bool ParseBool(string key, string value) =>
        ConfigValues.TryParseBool(value, out var v)
            ? v : throw new ConfigException($"config key '{key}': '{value}' is not a boolean");

    internal static TimeSpan ParseDuration(string key, string value) =>
        ConfigValues.TryParseDuration(value, out var v)
            ? v : throw new ConfigException($"config key '{key}': '{value}' is not a duration (e.g. 30s, 5m, 1h30m)");

    internal static long ParseBytes(string key, string value) =>
        ConfigValues.TryParseBytes(value, out var v)
            ? v : throw new ConfigException($"config key '{key}': '{value}' is not a byte size (e.g. 1024, 256KB, 1.5MB)");
}

/// <summary>A configuration problem that stops start-up.</summary>
public sealed class ConfigException(string message) : Exception(message);
