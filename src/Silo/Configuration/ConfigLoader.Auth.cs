using Orleans.Loki.Gateway.Auth;
using Orleans.Loki.Gateway.Tenancy;
using YamlDotNet.RepresentationModel;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>The <c>auth</c> section (ours): <c>tokens</c> and <c>basic</c> credentials with their tenant grants.</summary>
public static partial class ConfigLoader
{
    private static void AddCredentials(LokiSettings settings, YamlNode node, string key, AuthScheme scheme)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return;
        }
        if (node is not YamlSequenceNode list)
        {
            throw new ConfigException($"config key '{key}' must be a list of credentials");
        }
        var added = new List<AuthCredential>(settings.Gateway.Auth.Credentials);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemKey = $"{key}[{i}]";
            if (list.Children[i] is not YamlMappingNode item)
            {
                throw new ConfigException($"config key '{itemKey}' must be a mapping");
            }
            added.Add(ParseCredential(item, itemKey, scheme));
        }
        settings.Gateway = settings.Gateway with { Auth = settings.Gateway.Auth with { Credentials = added } };
    }

    private static AuthCredential ParseCredential(YamlMappingNode item, string key, AuthScheme scheme)
    {
        string? token = null, tokenSha256 = null, username = null, password = null;
        string[] write = [], read = [];
        foreach (var (k, v) in item.Children)
        {
            var name = ((YamlScalarNode)k).Value;
            var full = $"{key}.{name}";
            switch (name)
            {
                case "token" when scheme == AuthScheme.Bearer: token = Scalar(v, full); break;
                case "token_sha256" when scheme == AuthScheme.Bearer: tokenSha256 = Scalar(v, full); break;
                case "username" when scheme == AuthScheme.Basic: username = Scalar(v, full); break;
                case "password" when scheme == AuthScheme.Basic: password = Scalar(v, full); break;
                case "tenants_write": write = Tenants(v, full); break;
                case "tenants_read": read = Tenants(v, full); break;
                default: throw new ConfigException($"config key '{full}' is not supported");
            }
        }
        if (write.Length == 0 && read.Length == 0)
        {
            throw new ConfigException($"config key '{key}' grants no tenant: set tenants_write and/or tenants_read");
        }
        if (scheme == AuthScheme.Basic)
        {
            if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password) || username.Contains(':'))
            {
                throw new ConfigException($"config key '{key}' needs a username (without ':') and a non-empty password");
            }
            return new AuthCredential(scheme, AuthCredential.HashBasic(username, password), write, read);
        }
        if (string.IsNullOrEmpty(token) == string.IsNullOrEmpty(tokenSha256))
        {
            throw new ConfigException($"config key '{key}' needs exactly one of token or token_sha256");
        }
        if (token is { Length: > 0 })
        {
            return new AuthCredential(scheme, AuthCredential.HashToken(token), write, read);
        }
        try
        {
            var digest = Convert.FromHexString(tokenSha256!);
            return digest.Length == 32
                ? new AuthCredential(scheme, digest, write, read)
                : throw new ConfigException($"config key '{key}.token_sha256' must be 64 hex digits");
        }
        catch (FormatException)
        {
            throw new ConfigException($"config key '{key}.token_sha256' must be 64 hex digits");
        }
    }

    private static string[] Tenants(YamlNode node, string key)
    {
        var tenants = StringList(node, key);
        foreach (var tenant in tenants)
        {
            if (tenant != "*" && TenantResolver.Validate(tenant) is { } problem)
            {
                throw new ConfigException($"config key '{key}': {problem}");
            }
        }
        return tenants;
    }
}
