using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.Loki.Gateway.Http;

/// <summary>Registration of the request error handling (first in the pipeline).</summary>
public static class HttpHardeningExtensions
{
    public static IServiceCollection AddLokiErrorHandling(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServerErrorLog>();
        return services;
    }

    /// <summary>Client mistakes → 4xx with a text at debug, server failures → 500 with a text, logged once per cause.</summary>
    public static IApplicationBuilder UseLokiErrorHandling(this IApplicationBuilder app) => app.UseMiddleware<ErrorMiddleware>();
}
