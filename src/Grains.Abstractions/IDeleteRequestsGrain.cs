namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// The delete requests of one tenant (key: the tenant), in grain storage <c>loki-state</c>. Every change is
/// persisted before it is acknowledged, so the read path sees a new request on the next query.
/// </summary>
[Alias("IDeleteRequestsGrain")]
public interface IDeleteRequestsGrain : IGrainWithStringKey
{
    /// <summary>Stores a new request and bumps the cache generation number.</summary>
    [Alias("Add")]
    Task AddAsync(DeleteRequest request);

    /// <summary>Every request not cancelled, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<DeleteRequest>> ListAsync();

    /// <summary>Cancels a request with Loki's checks; a cancel bumps the cache generation number.</summary>
    [Alias("Cancel")]
    Task<CancelOutcome> CancelAsync(string requestId, bool force, long nowNs, long cancelPeriodNs);

    /// <summary>Unix ns of the last add or cancel; 0 when there was none.</summary>
    [Alias("Generation")]
    Task<long> GenerationAsync();

    /// <summary>The filters the read path applies (every request, whatever its status).</summary>
    [Alias("Filters")]
    Task<IReadOnlyList<DeleteFilterSpec>> FiltersAsync();

    /// <summary>Records that shards <c>[0, processedShards)</c> of a request were physically applied.</summary>
    [Alias("MarkProcessed")]
    Task MarkProcessedAsync(string requestId, int processedShards);
}
