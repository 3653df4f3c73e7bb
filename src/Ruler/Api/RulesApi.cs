using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Loki.Gateway;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Model;
using Orleans.Loki.Ruler.Grains;
using Orleans.Loki.Ruler.Rules;
using Orleans.Loki.Ruler.Store;

namespace Orleans.Loki.Ruler.Api;

/// <summary>
/// Loki's rules configuration API (<c>pkg/ruler/base/api.go</c>) under <c>/loki/api/v1/rules</c> and the legacy
/// <c>/api/prom/rules</c>: YAML in and out, Loki's status codes and texts. Every change is handed to the rule sync at
/// once, so the group's grain evaluates the new definition from its next slot.
/// </summary>
public static class RulesApi
{
    private const string Success = """{"status":"success","data":null,"errorType":"","error":""}""";

    public static IEndpointRouteBuilder MapRulesApi(this IEndpointRouteBuilder app)
    {
        foreach (var root in (string[])["/loki/api/v1/rules", "/api/prom/rules"])
        {
            app.MapGet(root, ListAsync);
            app.MapGet(root + "/{ns}", ListNamespaceAsync);
            app.MapGet(root + "/{ns}/{group}", GetGroupAsync);
            app.MapPost(root + "/{ns}", SetGroupAsync);
            app.MapDelete(root + "/{ns}/{group}", DeleteGroupAsync);
            app.MapDelete(root + "/{ns}", DeleteNamespaceAsync);
        }
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext ctx, IRuleStore store, GatewayOptions gateway) =>
        await ListCoreAsync(ctx, store, gateway, null).ConfigureAwait(false);

    private static async Task<IResult> ListNamespaceAsync(HttpContext ctx, string ns, IRuleStore store, GatewayOptions gateway)
    {
        if (!TryPathParam(ns, "namespace", out ns, out var problem))
        {
            return problem!;
        }
        return await ListCoreAsync(ctx, store, gateway, ns).ConfigureAwait(false);
    }

    private static async Task<IResult> ListCoreAsync(HttpContext ctx, IRuleStore store, GatewayOptions gateway, string? ns)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            return problem!;
        }
        IReadOnlyList<RuleGroupDesc> groups;
        try
        {
            groups = await store.ListGroupsAsync(tenant, ns, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (RuleStoreException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        if (ctx.Request.Query["labels"].ToString() is { Length: > 0 } labelFilter)
        {
            groups = FilterByLabels(groups, labelFilter);
        }
        if (groups.Count == 0)
        {
            return Results.Text(LokiErrors.NoRuleGroupsFound, statusCode: StatusCodes.Status404NotFound);
        }
        return Yaml(RuleYaml.FormatNamespaces(groups));
    }

    private static async Task<IResult> GetGroupAsync(HttpContext ctx, string ns, string group, IRuleStore store, GatewayOptions gateway)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem) || !TryPathParam(ns, "namespace", out ns, out problem) || !TryPathParam(group, "groupname", out group, out problem))
        {
            return problem!;
        }
        RuleGroupDesc? found;
        try
        {
            found = await store.GetGroupAsync(tenant, ns, group, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (RuleStoreException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        return found is null ? Results.Text(LokiErrors.RuleGroupNotFound, statusCode: StatusCodes.Status404NotFound) : Yaml(RuleYaml.FormatGroup(found));
    }

    private static async Task<IResult> SetGroupAsync(HttpContext ctx, string ns, IRuleStore store, GatewayOptions gateway, RulerOptions options, IGrainFactory grains)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem) || !TryPathParam(ns, "namespace", out ns, out problem))
        {
            return problem!;
        }
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        if (!RuleYaml.TryParseGroup(body, ns, out var group, out var decodeError, out var errors))
        {
            return Results.Text(decodeError is not null ? LokiErrors.RuleGroupUndecodable(decodeError) : string.Join(", ", errors), statusCode: StatusCodes.Status400BadRequest);
        }
        if (options.MaxRulesPerRuleGroup > 0 && group!.Rules.Count > options.MaxRulesPerRuleGroup)
        {
            return Results.Text(LokiErrors.RulesPerGroupLimit(options.MaxRulesPerRuleGroup, group.Rules.Count), statusCode: StatusCodes.Status400BadRequest);
        }
        try
        {
            if (options.MaxRuleGroupsPerTenant > 0 && !store.ReadOnly)
            {
                // As Loki: the existing count plus one, even when the group is replaced.
                var existing = (await store.ListGroupsAsync(tenant, null, ctx.RequestAborted).ConfigureAwait(false)).Count;
                if (existing + 1 > options.MaxRuleGroupsPerTenant)
                {
                    return Results.Text(LokiErrors.RuleGroupsLimit(options.MaxRuleGroupsPerTenant, existing + 1), statusCode: StatusCodes.Status400BadRequest);
                }
            }
            await store.SetGroupAsync(tenant, group!, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (RuleStoreException e)
        {
            return ServerError(e.Message);
        }
        await SyncAsync(grains, tenant).ConfigureAwait(false);
        return Accepted();
    }

    private static async Task<IResult> DeleteGroupAsync(HttpContext ctx, string ns, string group, IRuleStore store, GatewayOptions gateway, IGrainFactory grains)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem) || !TryPathParam(ns, "namespace", out ns, out problem) || !TryPathParam(group, "groupname", out group, out problem))
        {
            return problem!;
        }
        try
        {
            if (!await store.DeleteGroupAsync(tenant, ns, group, ctx.RequestAborted).ConfigureAwait(false))
            {
                return Results.Text(LokiErrors.RuleGroupNotFound, statusCode: StatusCodes.Status404NotFound);
            }
        }
        catch (RuleStoreException e)
        {
            return ServerError(e.Message);
        }
        await SyncAsync(grains, tenant).ConfigureAwait(false);
        return Accepted();
    }

    private static async Task<IResult> DeleteNamespaceAsync(HttpContext ctx, string ns, IRuleStore store, GatewayOptions gateway, IGrainFactory grains)
    {
        if (!TryTenant(ctx, gateway, out var tenant, out var problem) || !TryPathParam(ns, "namespace", out ns, out problem))
        {
            return problem!;
        }
        try
        {
            if (!await store.DeleteNamespaceAsync(tenant, ns, ctx.RequestAborted).ConfigureAwait(false))
            {
                return Results.Text(LokiErrors.RuleNamespaceNotFound, statusCode: StatusCodes.Status404NotFound);
            }
        }
        catch (RuleStoreException e)
        {
            return ServerError(e.Message);
        }
        await SyncAsync(grains, tenant).ConfigureAwait(false);
        return Accepted();
    }

    /// <summary>Applies an edit at once; the store already holds it, so a failed sync is caught up by the next poll.</summary>
    private static Task SyncAsync(IGrainFactory grains, string tenant) => grains.GetGrain<IRulerSyncGrain>(0).SyncAsync(tenant);

    private static IReadOnlyList<RuleGroupDesc> FilterByLabels(IReadOnlyList<RuleGroupDesc> groups, string filter)
    {
        var pairs = filter.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0], p[1])).ToList();
        var result = new List<RuleGroupDesc>();
        foreach (var g in groups)
        {
            var rules = g.Rules.Where(r => pairs.Any(p => r.Labels.TryGetValue(p.Item1, out var v) && v == p.Item2)).ToList();
            if (rules.Count > 0)
            {
                result.Add(g with { Rules = rules });
            }
        }
        return result;
    }

    internal static bool TryTenant(HttpContext ctx, GatewayOptions gateway, out string tenant, out IResult? problem)
    {
        problem = null;
        if (TenantResolver.TryResolve(ctx, gateway.AuthEnabled, out tenant, out var error))
        {
            return true;
        }
        problem = Results.Text(error!.Message, statusCode: error.StatusCode);
        return false;
    }

    /// <summary>Loki's checks on path parameters: URL-path-unescaped, and a local path (no traversal).</summary>
    private static bool TryPathParam(string raw, string what, out string value, out IResult? problem)
    {
        problem = null;
        value = Uri.UnescapeDataString(raw);
        if (value.Length == 0 || value.StartsWith('/') || value.Split('/', '\\').Any(s => s == ".."))
        {
            problem = ServerError($"invalid {what}: path traversal not allowed");
            return false;
        }
        return true;
    }

    private static IResult Yaml(string text) => Results.Text(text, "application/yaml", Encoding.UTF8);

    private static IResult Accepted() => Results.Text(Success, "application/json", Encoding.UTF8, StatusCodes.Status202Accepted);

    private static IResult ServerError(string message) =>
        Results.Json(new { status = "error", data = (object?)null, errorType = "server", error = message }, statusCode: StatusCodes.Status500InternalServerError);
}
