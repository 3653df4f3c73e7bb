using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Loki.Gateway;
using Orleans.Loki.Model;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Grains;
using Orleans.Loki.Ruler.Notify;
using Orleans.Loki.Ruler.Rules;
using Orleans.Loki.Ruler.Store;

namespace Orleans.Loki.Ruler.Api;

/// <summary>
/// The Prometheus-compatible read API Grafana's alerting UI uses: <c>GET /prometheus/api/v1/rules</c> (filters
/// <c>type</c>, <c>rule_name[]</c>, <c>rule_group[]</c>, <c>file[]</c>) and <c>GET /prometheus/api/v1/alerts</c>, in
/// Loki's JSON shapes. Definitions come from the rule store, evaluation state from the group grains.
/// </summary>
public static class PrometheusRulesApi
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    public static IEndpointRouteBuilder MapPrometheusRulesApi(this IEndpointRouteBuilder app)
    {
        foreach (var root in (string[])["/prometheus/api/v1", "/api/prom/api/v1"])
        {
            app.MapGet(root + "/rules", RulesAsync);
            app.MapGet(root + "/alerts", AlertsAsync);
        }
        return app;
    }

    private static async Task RulesAsync(HttpContext ctx, IRuleStore store, GatewayOptions gateway, IGrainFactory grains)
    {
        if (!RulesApi.TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var query = ctx.Request.Query;
        var type = query["type"].ToString().ToLowerInvariant();
        if (type is not ("" or "alert" or "record"))
        {
            await Results.Json(new { status = "error", data = (object?)null, errorType = "bad_data", error = $"not supported value \"{query["type"]}\"" }, statusCode: 400)
                .ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var files = Values(query, "file");
        var groupNames = Values(query, "rule_group");
        var ruleNames = Values(query, "rule_name");
        var filtered = type.Length > 0 || ruleNames.Count > 0;

        var statuses = await LoadAsync(ctx, store, grains, tenant).ConfigureAwait(false);
        if (statuses is null)
        {
            return;
        }
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WritePropertyName("data");
        w.WriteStartObject();
        w.WritePropertyName("groups");
        w.WriteStartArray();
        foreach (var (group, status) in statuses)
        {
            if ((files.Count > 0 && !files.Contains(group.Namespace)) || (groupNames.Count > 0 && !groupNames.Contains(group.Name)))
            {
                continue;
            }
            var rules = group.Rules.Select((r, i) => (Rule: r, Status: status?.Rules.ElementAtOrDefault(i)))
                .Where(r => (type.Length == 0 || (type == "alert") == r.Rule.IsAlert) && (ruleNames.Count == 0 || ruleNames.Contains(r.Rule.Name)))
                .ToList();
            if (filtered && rules.Count == 0)
            {
                continue;
            }
            w.WriteStartObject();
            w.WriteString("name", group.Name);
            w.WriteString("file", group.Namespace);
            w.WritePropertyName("rules");
            w.WriteStartArray();
            foreach (var (rule, rs) in rules)
            {
                WriteRule(w, rule, rs);
            }
            w.WriteEndArray();
            w.WriteNumber("interval", (status?.Interval ?? group.Interval).TotalSeconds);
            w.WriteNumber("limit", group.Limit);
            w.WriteString("lastEvaluation", Time(status?.LastEvaluationNs ?? 0));
            w.WriteNumber("evaluationTime", status?.EvaluationSeconds ?? 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteString("errorType", "");
        w.WriteString("error", "");
        w.WriteEndObject();
    }

    private static async Task AlertsAsync(HttpContext ctx, IRuleStore store, GatewayOptions gateway, IGrainFactory grains)
    {
        if (!RulesApi.TryTenant(ctx, gateway, out var tenant, out var problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var statuses = await LoadAsync(ctx, store, grains, tenant).ConfigureAwait(false);
        if (statuses is null)
        {
            return;
        }
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WritePropertyName("data");
        w.WriteStartObject();
        w.WritePropertyName("alerts");
        w.WriteStartArray();
        foreach (var (_, status) in statuses)
        {
            foreach (var rule in status?.Rules ?? [])
            {
                foreach (var a in rule.Alerts)
                {
                    WriteAlert(w, a);
                }
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteString("errorType", "");
        w.WriteString("error", "");
        w.WriteEndObject();
    }

    /// <summary>The tenant's groups (sorted by file, then name) with their grain's status; null when the store failed (answered).</summary>
    private static async Task<List<(RuleGroupDesc Group, RuleGroupStatus? Status)>?> LoadAsync(HttpContext ctx, IRuleStore store, IGrainFactory grains, string tenant)
    {
        IReadOnlyList<RuleGroupDesc> groups;
        try
        {
            groups = await store.ListGroupsAsync(tenant, null, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (RuleStoreException)
        {
            // Loki answers an empty list when the tenant has no rules.
            groups = [];
        }
        var ordered = groups.OrderBy(g => g.Namespace, StringComparer.Ordinal).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
        var statuses = await Task.WhenAll(ordered.Select(g => grains.GetGrain<IRuleGroupGrain>(RuleGroupKey.Of(tenant, g.Namespace, g.Name)).GetStatusAsync())).ConfigureAwait(false);
        // The status of a group whose definition the grain has not seen yet (an edit in flight) is left out.
        return [.. ordered.Select((g, i) => (g, statuses[i] is { } s && s.Group.Fingerprint() == g.Fingerprint() ? s : null))];
    }

    private static void WriteRule(Utf8JsonWriter w, RuleDesc rule, RuleStatus? s)
    {
        w.WriteStartObject();
        if (rule.IsAlert)
        {
            w.WriteString("state", (s?.State ?? AlertState.Inactive) switch { AlertState.Firing => "firing", AlertState.Pending => "pending", _ => "inactive" });
            w.WriteString("name", rule.Alert);
            w.WriteString("query", rule.Expr);
            w.WriteNumber("duration", rule.For.TotalSeconds);
            if (rule.KeepFiringFor > TimeSpan.Zero)
            {
                w.WriteNumber("keepFiringFor", rule.KeepFiringFor.TotalSeconds);
            }
            WriteMap(w, "labels", rule.Labels);
            WriteMap(w, "annotations", rule.Annotations);
            w.WritePropertyName("alerts");
            w.WriteStartArray();
            foreach (var a in s?.Alerts ?? [])
            {
                WriteAlert(w, a);
            }
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("name", rule.Record);
            w.WriteString("query", rule.Expr);
            WriteMap(w, "labels", rule.Labels);
        }
        w.WriteString("health", s?.Health ?? "unknown");
        w.WriteString("lastError", s?.LastError ?? "");
        w.WriteString("type", rule.IsAlert ? "alerting" : "recording");
        w.WriteString("lastEvaluation", Time(s?.LastEvaluationNs ?? 0));
        w.WriteNumber("evaluationTime", s?.EvaluationSeconds ?? 0);
        w.WriteEndObject();
    }

    private static void WriteAlert(Utf8JsonWriter w, ActiveAlert a)
    {
        w.WriteStartObject();
        WriteMap(w, "labels", a.Labels);
        WriteMap(w, "annotations", a.Annotations);
        w.WriteString("state", a.State == AlertState.Firing ? "firing" : a.State == AlertState.Pending ? "pending" : "inactive");
        w.WriteString("activeAt", Time(a.ActiveAtNs));
        w.WriteString("value", GoFloat.FormatE(a.Value));
        w.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter w, string name, Dictionary<string, string> map)
    {
        w.WritePropertyName(name);
        w.WriteStartObject();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
    }

    private static List<string> Values(IQueryCollection query, string name) =>
        [.. query[name].Concat(query[name + "[]"]).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)];

    private static string Time(long ns) => ns == 0 ? ZeroTime : AlertmanagerNotifier.Rfc3339(ns);
}
