using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Orleans.Loki.Gateway.Cluster;

/// <summary>One silo of the cluster as the ring pages show it.</summary>
public sealed record SiloRow(string Address, string Name, string Target, string[] Modules, string Status, bool Self, IReadOnlyDictionary<string, int> Grains);

/// <summary>
/// Operations endpoints Loki's chart and runbooks use: <c>/services</c>, <c>/ingester/prepare_shutdown</c>,
/// <c>/ingester/shutdown</c>, <c>/flush/tenant</c>, and the ring pages (<c>/distributor/ring</c>,
/// <c>/ruler/ring</c>, <c>/ingester/ring</c>, <c>/compactor/ring</c>, <c>/indexgateway/ring</c>) which here list the
/// Orleans silos with their target, modules, membership status and active grains per grain type
/// (<c>/cluster/silos</c>: the same as JSON, on every target).
/// </summary>
public static class ClusterApi
{
    /// <summary>Set by <c>POST /ingester/prepare_shutdown</c>: flush this silo's streams when it stops.</summary>
    private sealed class ShutdownFlag
    {
        public volatile bool FlushOnShutdown;
    }

    public static IEndpointRouteBuilder MapLokiClusterApi(this IEndpointRouteBuilder app, IReadOnlySet<string> modules)
    {
        var flag = new ShutdownFlag();
        var lifetime = app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            if (flag.FlushOnShutdown)
            {
                var grains = app.ServiceProvider.GetRequiredService<IGrainFactory>();
                var local = app.ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
                FlushAsync(grains, local, tenant: null, CancellationToken.None).Wait(TimeSpan.FromSeconds(20));
            }
        });

        app.MapGet("/services", () =>
        {
            var text = new StringBuilder();
            foreach (var module in LokiModules.All.Where(modules.Contains))
            {
                text.Append(module).Append(" => Running\n");
            }
            text.Append("server => Running\n");
            return Results.Text(text.ToString());
        });

        app.MapGet("/ingester/prepare_shutdown", () => Results.Text(flag.FlushOnShutdown ? "set\n" : "unset\n"));
        app.MapPost("/ingester/prepare_shutdown", () =>
        {
            flag.FlushOnShutdown = true;
            return Results.NoContent();
        });
        app.MapDelete("/ingester/prepare_shutdown", () =>
        {
            flag.FlushOnShutdown = false;
            return Results.NoContent();
        });
        // Flush this silo's streams, then leave the cluster: the preStop hook of a write pod.
        app.MapPost("/ingester/shutdown", async (IGrainFactory grains, ILocalSiloDetails local, IHostApplicationLifetime host, CancellationToken ct) =>
        {
            await FlushAsync(grains, local.SiloAddress, tenant: null, ct).ConfigureAwait(false);
            host.StopApplication();
            return Results.NoContent();
        });
        app.MapPost("/flush/tenant", async (HttpRequest request, IGrainFactory grains, CancellationToken ct) =>
        {
            var tenant = request.Query["tenant"].ToString();
            if (tenant.Length == 0 && request.HasFormContentType)
            {
                tenant = (await request.ReadFormAsync(ct).ConfigureAwait(false))["tenant"].ToString();
            }
            if (tenant.Length == 0)
            {
                return Results.Text("missing tenant parameter\n", statusCode: 400);
            }
            await FlushAsync(grains, silo: null, tenant, ct).ConfigureAwait(false);
            return Results.NoContent();
        });

        foreach (var ring in new[] { "/distributor/ring", "/ingester/ring", "/ruler/ring", "/compactor/ring", "/indexgateway/ring" })
        {
            app.MapGet(ring, RingAsync);
        }
        // The same list on every target, always JSON.
        app.MapGet("/cluster/silos", async (IGrainFactory grains, ISiloMetadataCache metadata, ILocalSiloDetails local, CancellationToken ct) =>
            Results.Json(new { silos = await SilosAsync(grains, metadata, local.SiloAddress, ct).ConfigureAwait(false) }));
        return app;
    }

    private static async Task<IResult> RingAsync(HttpRequest request, IGrainFactory grains, ISiloMetadataCache metadata, ILocalSiloDetails local, CancellationToken ct)
    {
        var rows = await SilosAsync(grains, metadata, local.SiloAddress, ct).ConfigureAwait(false);
        if (request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase) || request.Query["format"] == "json")
        {
            return Results.Json(new { silos = rows });
        }
        var html = new StringBuilder("<!DOCTYPE html><html><head><title>Orleans silos</title></head><body><h1>Orleans silos</h1><table border=\"1\"><tr><th>address</th><th>name</th><th>target</th><th>modules</th><th>status</th><th>grains</th></tr>");
        foreach (var row in rows)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(row.Address)).Append(row.Self ? " (this silo)" : "")
                .Append("</td><td>").Append(WebUtility.HtmlEncode(row.Name))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(row.Target))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(string.Join(", ", row.Modules)))
                .Append("</td><td>").Append(row.Status)
                .Append("</td><td>").Append(WebUtility.HtmlEncode(string.Join(", ", row.Grains.Select(g => $"{g.Key}: {g.Value}"))))
                .Append("</td></tr>");
        }
        html.Append("</table></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    /// <summary>Every silo in the membership table with its modules, status and active grains per type.</summary>
    public static async Task<IReadOnlyList<SiloRow>> SilosAsync(IGrainFactory grains, ISiloMetadataCache metadata, SiloAddress self, CancellationToken ct)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false).WaitAsync(ct).ConfigureAwait(false);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var counts = new Dictionary<SiloAddress, SortedDictionary<string, int>>();
        if (active.Length > 0)
        {
            foreach (var stat in await management.GetSimpleGrainStatistics(active).WaitAsync(ct).ConfigureAwait(false))
            {
                if (!counts.TryGetValue(stat.SiloAddress, out var perType))
                {
                    counts[stat.SiloAddress] = perType = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }
                var type = ShortType(stat.GrainType);
                perType[type] = perType.GetValueOrDefault(type) + stat.ActivationCount;
            }
        }
        var rows = new List<SiloRow>();
        foreach (var host in hosts.OrderBy(h => h.SiloName, StringComparer.Ordinal))
        {
            var data = metadata.GetSiloMetadata(host.SiloAddress).Metadata;
            rows.Add(new SiloRow(
                host.SiloAddress.ToParsableString(),
                host.SiloName,
                data.GetValueOrDefault(LokiModules.TargetMetadataKey, ""),
                data.GetValueOrDefault(LokiModules.MetadataKey, "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                host.Status.ToString(),
                host.SiloAddress.Equals(self),
                counts.GetValueOrDefault(host.SiloAddress) ?? new SortedDictionary<string, int>()));
        }
        return rows;
    }

    /// <summary>"Orleans.Loki.Grains.Ingester.StreamGrain,Orleans.Loki.Grains" → "StreamGrain".</summary>
    private static string ShortType(string type)
    {
        var comma = type.IndexOf(',');
        if (comma >= 0)
        {
            type = type[..comma];
        }
        var dot = type.LastIndexOf('.');
        return dot >= 0 ? type[(dot + 1)..] : type;
    }

    /// <summary>Flushes the active stream grains of one silo and/or one tenant.</summary>
    private static async Task FlushAsync(IGrainFactory grains, SiloAddress? silo, string? tenant, CancellationToken ct)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var stats = await management.GetDetailedGrainStatistics(null, silo is null ? null : [silo]).WaitAsync(ct).ConfigureAwait(false);
        var flushes = new List<Task>();
        foreach (var stat in stats)
        {
            if (!stat.GrainType.Contains("StreamGrain", StringComparison.Ordinal))
            {
                continue;
            }
            var key = stat.GrainId.Key.ToString() ?? "";
            if (tenant is not null && !key.StartsWith(tenant + "/", StringComparison.Ordinal))
            {
                continue;
            }
            flushes.Add(grains.GetGrain<IStreamGrain>(stat.GrainId).FlushAsync());
        }
        await Task.WhenAll(flushes).WaitAsync(ct).ConfigureAwait(false);
    }
}
