namespace Orleans.Loki.Grains.Tail;

/// <summary>
/// The live tails of one tenant (key: the tenant id). Gateways subscribe a tail with its selector's matchers and an
/// observer; the silos fetch the subscriptions at most once a second per tenant (the silo's tail subscription cache)
/// and their stream grains send durable entries straight to the observers of matching tails.
/// </summary>
/// <remarks>
/// Subscriptions are leases: a gateway renews each of its tails every few seconds, and one not renewed for
/// lease (see the hub's lease table) is dropped, so the tails of a gateway that died disappear on their own.
/// The hub holds no durable state: after a re-activation renewals answer false and gateways subscribe again.
/// </remarks>
[Alias("ITailHubGrain")]
public interface ITailHubGrain : IGrainWithStringKey
{
    /// <summary>Adds a tail unless the tenant already has <paramref name="maxConcurrentTails"/> of them (Loki's <c>max_concurrent_tail_requests</c>).</summary>
    [Alias("Subscribe")]
    Task<TailSubscribeResult> SubscribeAsync(TailSubscriber subscriber, int maxConcurrentTails);

    /// <summary>Extends a tail's lease; false when the hub does not know it (expired, or the hub was re-activated).</summary>
    [Alias("Renew")]
    Task<bool> RenewAsync(Guid id);

    /// <summary>Removes a tail.</summary>
    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(Guid id);

    /// <summary>The current subscriptions; the version changes whenever the set changes.</summary>
    [Alias("Snapshot")]
    Task<TailSnapshot> GetSnapshotAsync();
}
