using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Registers what stream grains need besides the object store, options and clock.</summary>
public static class IngesterServiceCollectionExtensions
{
    /// <summary>Adds the per-silo <see cref="SiloWal"/> and the start-up replay's <see cref="WalRecoveryProgress"/>.</summary>
    public static IServiceCollection AddLokiIngester(this IServiceCollection services)
    {
        services.AddSingleton<SiloWal>();
        services.AddSingleton<WalRecoveryProgress>();
        return services;
    }
}
