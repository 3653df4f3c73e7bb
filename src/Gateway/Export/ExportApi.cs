using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Loki.Gateway.Export;

/// <summary>
/// <c>GET /loki/api/v1/export</c> (ours; Loki has no such endpoint): every entry of a log query, streamed. See
/// <see cref="ExportService"/>.
/// </summary>
public static class ExportApi
{
    public static IServiceCollection AddExportApi(this IServiceCollection services) => services.AddSingleton<ExportService>();

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/loki/api/v1/export", (HttpContext ctx, ExportService export) => export.ExportAsync(ctx));
        app.MapPost("/loki/api/v1/export", (HttpContext ctx, ExportService export) => export.ExportAsync(ctx));
        return app;
    }
}
