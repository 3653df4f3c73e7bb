using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Tail;

/// <summary><c>GET /loki/api/v1/tail</c>: live tail over a websocket.</summary>
public static class TailApi
{
    /// <summary>Loki's <c>wsPingPeriod</c>: the server pings this often, which also finds dead connections.</summary>
    public static readonly TimeSpan PingPeriod = TimeSpan.FromSeconds(1);

    /// <summary>A client that answers no ping for this long is disconnected.</summary>
    public static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapTailApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/loki/api/v1/tail", (HttpContext ctx, TailService tails) => tails.HandleAsync(ctx));
        app.MapGet("/api/prom/tail", (HttpContext ctx, TailService tails) => tails.HandleAsync(ctx, legacy: true));
        return app;
    }
}

/// <summary>Checks a tail request as Loki does (tenant, then parameters: plain HTTP errors), then upgrades it.</summary>
public sealed class TailService(GatewayOptions options, TailConnectionFactory connections, TimeProvider time)
{
    public async Task HandleAsync(HttpContext ctx, bool legacy = false)
    {
        if (!TenantResolver.TryResolveMany(ctx, options.AuthEnabled, out var tenants, out var tenantError))
        {
            await Results.Text(tenantError!.Message, statusCode: tenantError.StatusCode).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (!TailRequest.TryParse(ctx.Request.Query, LokiTime.NowNs(time), out var request, out var error))
        {
            await Results.Text(error, statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            // The text Loki's websocket library answers to a plain HTTP request.
            await Results.Text(LokiErrors.WebsocketUpgradeMissing,
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TailApi.PingPeriod,
            KeepAliveTimeout = TailApi.PongTimeout,
            SubProtocol = Ui.BrowserCredentials.SubProtocol(ctx),
        }).ConfigureAwait(false);
        await connections.Create(socket, tenants, request with { Legacy = legacy }).RunAsync(ctx.RequestAborted).ConfigureAwait(false);
    }
}
