using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Orleans.Loki.Gateway.Auth;

/// <summary>
/// Built-in authentication (beyond Loki, which leaves it to a proxy): credentials and the tenants each may write and
/// read. Enabled when at least one credential is configured. Secrets are kept only as SHA-256 digests and are never
/// serialised (<c>/config</c> shows the number of credentials).
/// </summary>
public sealed record AuthOptions
{
    /// <summary>The configured credentials.</summary>
    [JsonIgnore]
    public IReadOnlyList<AuthCredential> Credentials { get; init; } = [];

    /// <summary>True when requests must carry credentials.</summary>
    public bool Enabled => Credentials.Count > 0;

    /// <summary>How many credentials are configured (what <c>/config</c> shows instead of the secrets).</summary>
    public int CredentialCount => Credentials.Count;
}

/// <summary>The kind of a credential.</summary>
public enum AuthScheme
{
    /// <summary>Reserved: never a valid scheme.</summary>
    Invalid = 0,

    /// <summary><c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    Bearer = 1,

    /// <summary><c>Authorization: Basic base64(user:password)</c>.</summary>
    Basic = 2,
}

/// <summary>
/// One credential: the SHA-256 of the bearer token (or of <c>user:password</c>) and its grants. A grant of <c>*</c>
/// means every tenant.
/// </summary>
public sealed record AuthCredential(AuthScheme Scheme, byte[] Sha256, IReadOnlyList<string> TenantsWrite, IReadOnlyList<string> TenantsRead)
{
    /// <summary>Digest of a bearer token.</summary>
    public static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Digest of a basic-auth user and password (<c>user:password</c>, the decoded form of the header).</summary>
    public static byte[] HashBasic(string username, string password) => SHA256.HashData(Encoding.UTF8.GetBytes(username + ":" + password));

    /// <summary>Whether the credential grants <paramref name="tenant"/> for writing or reading.</summary>
    public bool Grants(string tenant, bool write)
    {
        foreach (var granted in write ? TenantsWrite : TenantsRead)
        {
            if (granted == "*" || string.Equals(granted, tenant, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
