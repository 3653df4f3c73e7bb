using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Loki.Grains.Ingester;

namespace Orleans.Loki.Gateway.Ops;

/// <summary><c>/ready</c>, <c>/flush</c>, <c>/config</c>, <c>/loki/api/v1/status/buildinfo</c>.</summary>
public static class OpsApi
{
    private static readonly JsonSerializerOptions s_configJson = new() { WriteIndented = true };

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app, BuildInfoResponse buildInfo, object effectiveConfig)
    {
        app.MapGet("/ready", async (IClusterClient client, IServiceProvider services, CancellationToken ct) =>
        {
            // Acknowledged data of a crashed run is back in memory before this silo says it is ready.
            if (services.GetService(typeof(WalRecoveryProgress)) is WalRecoveryProgress { Done: false } replay)
            {
                return Results.Text($"Ingester not ready: {replay.Describe()}\n", statusCode: 503);
            }
            try
            {
                var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                return hosts.Count > 0 ? Results.Text("ready\n") : Results.Text("no active silos\n", statusCode: 503);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
            {
                return Results.Text($"not ready: {e.Message}\n", statusCode: 503);
            }
        });
        app.MapGet("/loki/api/v1/status/buildinfo", () => Results.Json(buildInfo));
        app.MapGet("/config", () => Results.Text(JsonSerializer.Serialize(effectiveConfig, effectiveConfig.GetType(), s_configJson), "application/json"));
        app.MapPost("/flush", FlushAsync);
        app.MapPost("/ingester/flush", FlushAsync);
        return app;
    }

    /// <summary>Flushes every active stream grain in the cluster (Loki's ingester flush endpoint). Answers 204.</summary>
    private static async Task<IResult> FlushAsync(IClusterClient client, CancellationToken ct)
    {
        await StreamGrains.FlushAllAsync(client, ct).ConfigureAwait(false);
        return Results.NoContent();
    }
}
