namespace Orleans.Loki.Grains.Tail;

/// <summary>
/// The state of a <see cref="TailHubGrain"/>: subscriptions with their lease expiry, the concurrent-tail limit, and
/// the published snapshot. Not thread-safe (the grain's scheduler serialises calls); kept apart from the grain so the
/// lease rules can be exercised with a fake clock.
/// </summary>
internal sealed class TailLeaseTable(TimeProvider time)
{
    private readonly Dictionary<Guid, (TailSubscriber Subscriber, DateTimeOffset Expires)> _tails = [];

    /// <summary>The current subscriptions; replaced (with a higher version) on every change.</summary>
    public TailSnapshot Snapshot { get; private set; } = TailSnapshot.Empty;

    public TailSubscribeResult Subscribe(TailSubscriber subscriber, int maxConcurrentTails)
    {
        Expire();
        if (!_tails.ContainsKey(subscriber.Id) && _tails.Count >= maxConcurrentTails)
        {
            // Loki's text: count is the would-be number of tails including this one.
            return new TailSubscribeResult(false,
                $"max concurrent tail requests limit exceeded, count > limit ({_tails.Count + 1} > {maxConcurrentTails})");
        }
        _tails[subscriber.Id] = (subscriber, time.GetUtcNow() + TailLeases.Lease);
        Publish();
        return new TailSubscribeResult(true, null);
    }

    public bool Renew(Guid id)
    {
        Expire();
        if (!_tails.TryGetValue(id, out var lease))
        {
            return false;
        }
        _tails[id] = lease with { Expires = time.GetUtcNow() + TailLeases.Lease };
        return true;
    }

    public void Unsubscribe(Guid id)
    {
        if (_tails.Remove(id))
        {
            Publish();
        }
    }

    /// <summary>Drops every subscription whose lease ran out (its gateway stopped renewing: closed or dead).</summary>
    public void Expire()
    {
        var now = time.GetUtcNow();
        List<Guid>? expired = null;
        foreach (var (id, lease) in _tails)
        {
            if (lease.Expires <= now)
            {
                (expired ??= []).Add(id);
            }
        }
        if (expired is null)
        {
            return;
        }
        foreach (var id in expired)
        {
            _tails.Remove(id);
        }
        Publish();
    }

    private void Publish()
    {
        // Versions only need to differ between snapshots that silos may hold; the clock keeps them distinct across
        // re-activations of the hub as well.
        var version = Math.Max(Snapshot.Version + 1, time.GetUtcNow().UtcTicks);
        Snapshot = new TailSnapshot(version, [.. _tails.Values.Select(l => l.Subscriber)]);
    }
}
