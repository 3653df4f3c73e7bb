using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Orleans.Loki.Gateway.Tenancy;

namespace Orleans.Loki.Gateway.Auth;

/// <summary>
/// Checks credentials on every tenant-scoped route (<c>/loki/</c>, <c>/api/prom/</c>, <c>/otlp/</c>), in front of all
/// their endpoints, present and future: missing or unknown credentials get 401 with a <c>WWW-Authenticate</c>
/// challenge; a credential that is not granted every tenant of the request (each tenant of <c>a|b</c>) gets 403.
/// Pushes need write grants, everything else read grants. Comparisons run in constant time over SHA-256 digests,
/// and a presented secret is never logged or echoed.
/// </summary>
public sealed class AuthMiddleware(RequestDelegate next, GatewayOptions options)
{
    private static readonly StringValues s_challenge = new(["Bearer realm=\"loki\"", "Basic realm=\"loki\", charset=\"UTF-8\""]);

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!options.Auth.Enabled || !IsTenantRoute(path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var credential = Authenticate(context.Request.Headers.Authorization, options.Auth.Credentials);
        if (credential is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = s_challenge;
            await context.Response.WriteAsync("unauthorized").ConfigureAwait(false);
            return;
        }

        var write = IsWrite(context.Request);
        if (options.AuthEnabled && string.IsNullOrEmpty(context.Request.Headers[TenantResolver.HeaderName]) && SingleGrant(credential, write) is { } only)
        {
            // A credential for exactly one tenant names it: clients need not send X-Scope-OrgID as well.
            context.Request.Headers[TenantResolver.HeaderName] = only;
        }

        // Tenant errors (missing or invalid X-Scope-OrgID) are answered by the endpoint, with Loki's texts.
        if (TenantResolver.TryResolveMany(context, options.AuthEnabled, out var tenants, out _))
        {
            foreach (var tenant in tenants)
            {
                if (!credential.Grants(tenant, write))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync($"the credential is not granted {(write ? "write" : "read")} access to tenant '{tenant}'").ConfigureAwait(false);
                    return;
                }
            }
        }
        await next(context).ConfigureAwait(false);
    }

    private static bool IsTenantRoute(PathString path) =>
        path.StartsWithSegments("/loki", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/api/prom", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/otlp", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/prometheus", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/config/tenant", StringComparison.OrdinalIgnoreCase);

    /// <summary>Pushes and every non-read method (e.g. delete requests) need write access.</summary>
    private static bool IsWrite(HttpRequest request)
    {
        var path = request.Path;
        if (path.StartsWithSegments("/loki/api/v1/push", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/api/prom/push", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/otlp", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return false;
        }
        // POST is how clients send long queries; only the delete API and the rules API change data.
        return path.StartsWithSegments("/loki/api/v1/delete", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/loki/api/v1/rules", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/api/prom/rules", StringComparison.OrdinalIgnoreCase);
    }

    private static string? SingleGrant(AuthCredential credential, bool write)
    {
        var grants = write ? credential.TenantsWrite : credential.TenantsRead;
        return grants.Count == 1 && grants[0] != "*" ? grants[0] : null;
    }

    /// <summary>Finds the credential matching the header; every configured credential of the scheme is compared, so timing reveals nothing.</summary>
    internal static AuthCredential? Authenticate(StringValues header, IReadOnlyList<AuthCredential> credentials)
    {
        if (header.Count != 1 || header[0] is not { } value)
        {
            return null;
        }
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        AuthScheme scheme;
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            scheme = AuthScheme.Bearer;
            SHA256.HashData(Encoding.UTF8.GetBytes(value.AsSpan(7).Trim().ToString()), digest);
        }
        else if (value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            scheme = AuthScheme.Basic;
            var encoded = Encoding.ASCII.GetBytes(value.AsSpan(6).Trim().ToString());
            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
            if (Base64.DecodeFromUtf8(encoded, decoded, out _, out var written) != System.Buffers.OperationStatus.Done
                || decoded.AsSpan(0, written).IndexOf((byte)':') < 0)
            {
                return null;
            }
            SHA256.HashData(decoded.AsSpan(0, written), digest);
        }
        else
        {
            return null;
        }

        AuthCredential? match = null;
        foreach (var credential in credentials)
        {
            if (credential.Scheme == scheme && CryptographicOperations.FixedTimeEquals(credential.Sha256, digest))
            {
                match ??= credential;
            }
        }
        return match;
    }
}
