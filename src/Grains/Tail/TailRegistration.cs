using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Loki.Grains.Tail;

/// <summary>Registration of the silo-side tail services.</summary>
public static class TailRegistration
{
    /// <summary>
    /// Registers the per-silo subscription cache that stream grains consult after each durable append. Without it,
    /// stream grains forward nothing to tails.
    /// </summary>
    public static IServiceCollection AddLokiTail(this IServiceCollection services) =>
        services.AddSingleton<TailSubscriptionCache>();
}
