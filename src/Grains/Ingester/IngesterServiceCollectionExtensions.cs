using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Registers what stream grains need besides the object store, options and clock.</summary>
public static class IngesterServiceCollectionExtensions
{
    /// <summary>
    /// Adds the per-silo <see cref="SiloWal"/>, the start-up replay's <see cref="WalRecoveryProgress"/>, the
    /// <see cref="WalReplayScheduler"/> (one replay thread per core), the memory cap (<see cref="IngesterMemory"/>,
    /// with its <see cref="MemoryPressureFlusher"/>, also the process's <see cref="IPushMemoryBudget"/>) and the silo's registry of active streams that head reads per
    /// silo use (<see cref="StreamHeads"/>).
    /// </summary>
    public static IServiceCollection AddLokiIngester(this IServiceCollection services)
    {
        services.AddSingleton<SiloWal>();
        services.AddSingleton<WalRecoveryProgress>();
        services.AddSingleton(_ => new WalReplayScheduler(Environment.ProcessorCount));
        services.AddSingleton<StreamHeads>();
        services.AddSingleton(sp => new IngesterMemory(sp.GetRequiredService<IngesterOptions>().MaxUnflushedBytes));
        services.AddSingleton<IPushMemoryBudget>(sp => sp.GetRequiredService<IngesterMemory>());
        services.AddHostedService<MemoryPressureFlusher>();
        return services;
    }
}
