using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Gateway.Ops;
using Orleans.Loki.Grains;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>The Loki HTTP API on an in-memory test server, over a cluster's client.</summary>
internal static class TestGateway
{
    /// <summary>
    /// Builds and starts the gateway; <paramref name="services"/> runs after the gateway's own registrations, so what
    /// it registers (limits, progress, ...) wins.
    /// </summary>
    public static async Task<WebApplication> StartAsync(IClusterClient client, IngesterOptions ingester, GatewayOptions options, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var web = WebApplication.CreateBuilder();
        web.WebHost.UseTestServer();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        web.Services.AddSingleton(client);
        web.Services.AddSingleton<IGrainFactory>(client);
        web.Services.AddSingleton(time ?? TimeProvider.System);
        web.Services.AddSingleton(ingester);
        web.Services.AddLokiGateway(options);
        services?.Invoke(web.Services);
        var app = web.Build();
        app.MapLokiApi(new BuildInfoResponse("test", "test"), new object());
        await app.StartAsync();
        return app;
    }
}
