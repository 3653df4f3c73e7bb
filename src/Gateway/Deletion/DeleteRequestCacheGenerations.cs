using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Gateway.Deletion;

/// <summary>
/// Results-cache generation numbers backed by the tenants' delete requests: every add or cancel raises the tenant's
/// number, so cached results computed before a delete are never served after it. Local bumps still count.
/// </summary>
public sealed class DeleteRequestCacheGenerations(IGrainFactory grains, LocalCacheGenerations local) : ICacheGenerations
{
    public async ValueTask<long> GetAsync(string tenant, CancellationToken ct)
    {
        var deletes = await GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant).GenerationAsync().WaitAsync(ct).ConfigureAwait(false);
        return deletes + await local.GetAsync(tenant, ct).ConfigureAwait(false);
    }
}
