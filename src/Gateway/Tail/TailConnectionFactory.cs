using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>Creates <see cref="TailConnection"/>s with the gateway's services.</summary>
public sealed class TailConnectionFactory(
    IGrainFactory grains,
    GatewayOptions options,
    ITenantLimits limits,
    GrainDataSource data,
    TimeProvider time,
    ILoggerFactory loggers)
{
    internal TailConnection Create(WebSocket socket, string[] tenants, TailRequest request) =>
        new(socket, tenants, request, grains, options, limits, data, time, loggers.CreateLogger<TailConnection>());
}
