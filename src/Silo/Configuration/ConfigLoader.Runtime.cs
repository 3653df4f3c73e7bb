using Orleans.Loki.Gateway;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Tenancy;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>
/// Loki's runtime config file: <c>overrides: { &lt;tenant&gt;: { &lt;limits_config key&gt;: value } }</c>. Each
/// tenant's limits start from the <c>limits_config</c> defaults; the keys and value syntax are those of <c>limits_config</c>.
/// </summary>
public static partial class ConfigLoader
{
    private const string LimitsPrefix = "limits_config.";

    /// <summary>Parses the runtime config text (a <see cref="RuntimeOverridesParser"/>).</summary>
    public static bool TryParseOverrides(string yaml, TenantLimits defaults, out IReadOnlyDictionary<string, TenantLimits> overrides, out string? error)
    {
        overrides = new Dictionary<string, TenantLimits>();
        error = null;
        try
        {
            overrides = ParseOverrides(yaml, defaults);
            return true;
        }
        catch (ConfigException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static Dictionary<string, TenantLimits> ParseOverrides(string yaml, TenantLimits defaults)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException($"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        var result = new Dictionary<string, TenantLimits>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException("the top level must be a mapping");
        }
        // Loki's file has other sections too (configs, multi_kv_config, ...); only overrides applies here.
        if (!root.Children.TryGetValue(new YamlScalarNode("overrides"), out var node) || node is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (node is not YamlMappingNode tenants)
        {
            throw new ConfigException("'overrides' must be a mapping of tenant to limits");
        }
        foreach (var (tenantNode, limitsNode) in tenants.Children)
        {
            var tenant = Scalar(tenantNode, "overrides");
            if (TenantResolver.Validate(tenant) is { } problem)
            {
                throw new ConfigException($"overrides: {problem}");
            }
            result[tenant] = ParseTenant(tenant, limitsNode, defaults);
        }
        return result;
    }

    private static TenantLimits ParseTenant(string tenant, YamlNode node, TenantLimits defaults)
    {
        var settings = new LokiSettings
        {
            Gateway = new GatewayOptions { Limits = defaults.Validation, Query = defaults.Query, Ingestion = defaults.Ingestion, Compactor = defaults.Compactor },
        };
        if (node is YamlMappingNode limits)
        {
            foreach (var (keyNode, valueNode) in limits.Children)
            {
                var name = Scalar(keyNode, $"overrides.{tenant}");
                if (!s_setters.TryGetValue(LimitsPrefix + name, out var setter) && !s_compatSetters.TryGetValue(LimitsPrefix + name, out setter) && !s_compactorSetters.TryGetValue(LimitsPrefix + name, out setter))
                {
                    throw new ConfigException($"overrides.{tenant}: unknown or unsupported limit '{name}'");
                }
                setter(settings, valueNode, $"overrides.{tenant}.{name}");
            }
        }
        else if (node is not YamlScalarNode { Value: null or "" })
        {
            throw new ConfigException($"overrides.{tenant} must be a mapping of limits");
        }
        if (settings.Gateway.Ingestion.Validate() is { } problem)
        {
            throw new ConfigException($"overrides.{tenant}: {problem}");
        }
        return TenantLimits.Defaults(settings.Gateway);
    }
}
