using Microsoft.AspNetCore.Http;

namespace Orleans.Loki.Gateway.Tenancy;

/// <summary>Resolves the tenant(s) of a request from <c>X-Scope-OrgID</c>, as Loki does.</summary>
public static class TenantResolver
{
    public const string HeaderName = "X-Scope-OrgID";
    public const string DefaultTenant = "fake";
    private const int MaxTenantIdLength = 150;

    /// <summary>Single tenant (push, and every endpoint that takes one tenant).</summary>
    public static bool TryResolve(HttpContext context, bool authEnabled, out string tenant, out TenantError? error)
    {
        tenant = DefaultTenant;
        error = null;
        if (!TryResolveMany(context, authEnabled, out var tenants, out error))
        {
            return false;
        }
        if (tenants.Length > 1)
        {
            error = new TenantError(StatusCodes.Status400BadRequest, "multiple org IDs present");
            return false;
        }
        tenant = tenants[0];
        return true;
    }

    /// <summary>Tenants of a query: <c>a|b</c> queries several tenants at once.</summary>
    public static bool TryResolveMany(HttpContext context, bool authEnabled, out string[] tenants, out TenantError? error)
    {
        error = null;
        tenants = [DefaultTenant];
        if (!authEnabled)
        {
            return true;
        }
        var header = context.Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(header))
        {
            error = new TenantError(StatusCodes.Status401Unauthorized, "no org id");
            return false;
        }
        var parts = header.Split('|');
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var problem = Validate(part);
            if (problem is not null)
            {
                error = new TenantError(StatusCodes.Status400BadRequest, problem);
                return false;
            }
            seen.Add(part);
        }
        tenants = [.. seen];
        return true;
    }

    /// <summary>
    /// Loki's (dskit's) tenant id rules, checked in dskit's order: characters from <c>[a-zA-Z0-9!-_.*'()]</c>, at most
    /// 150 characters, not "." or "..". dskit lets an empty id through; here it is refused, since every grain and
    /// object-store key starts with the tenant.
    /// </summary>
    public static string? Validate(string tenant)
    {
        if (tenant.Length == 0)
        {
            return "tenant ID is empty";
        }
        foreach (var c in tenant)
        {
            if (!IsAllowed(c))
            {
                return $"tenant ID '{tenant}' contains unsupported character '{c}'";
            }
        }
        if (tenant.Length > MaxTenantIdLength)
        {
            return $"tenant ID is too long: max {MaxTenantIdLength} characters";
        }
        if (tenant is "." or "..")
        {
            return "tenant ID is '.' or '..'";
        }
        return null;
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '-' or '_' or '.' or '*' or '\'' or '(' or ')';
}

/// <summary>A tenant resolution failure with the HTTP status to answer.</summary>
public sealed record TenantError(int StatusCode, string Message);
