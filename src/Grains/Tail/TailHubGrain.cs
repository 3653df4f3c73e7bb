namespace Orleans.Loki.Grains.Tail;

/// <summary>In-memory registry of a tenant's live tails, with leases (see <see cref="ITailHubGrain"/>).</summary>
internal sealed class TailHubGrain(TimeProvider time) : Grain, ITailHubGrain
{
    private readonly Dictionary<Guid, TailLease> _tails = [];
    private TailSnapshot _snapshot = TailSnapshot.Empty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(
            static (hub, _) => hub.ExpireLeases(),
            this,
            new GrainTimerCreationOptions(TailLeases.RenewPeriod, TailLeases.RenewPeriod) { KeepAlive = false });
        return Task.CompletedTask;
    }

    Task<TailSubscribeResult> ITailHubGrain.SubscribeAsync(TailSubscriber subscriber, int maxConcurrentTails)
    {
        ExpireLeasesNow();
        if (!_tails.ContainsKey(subscriber.Id) && _tails.Count >= maxConcurrentTails)
        {
            // Loki's text: count is the would-be number of tails including this one.
            return Task.FromResult(new TailSubscribeResult(false,
                $"max concurrent tail requests limit exceeded, count > limit ({_tails.Count + 1} > {maxConcurrentTails})"));
        }
        _tails[subscriber.Id] = new TailLease(subscriber, time.GetUtcNow() + TailLeases.Lease);
        Publish();
        return Task.FromResult(new TailSubscribeResult(true, null));
    }

    Task<bool> ITailHubGrain.RenewAsync(Guid id)
    {
        if (!_tails.TryGetValue(id, out var lease))
        {
            return Task.FromResult(false);
        }
        _tails[id] = lease with { Expires = time.GetUtcNow() + TailLeases.Lease };
        return Task.FromResult(true);
    }

    Task ITailHubGrain.UnsubscribeAsync(Guid id)
    {
        if (_tails.Remove(id))
        {
            Publish();
        }
        return Task.CompletedTask;
    }

    Task<TailSnapshot> ITailHubGrain.GetSnapshotAsync() => Task.FromResult(_snapshot);

    private Task ExpireLeases()
    {
        ExpireLeasesNow();
        return Task.CompletedTask;
    }

    private void ExpireLeasesNow()
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
        var version = Math.Max(_snapshot.Version + 1, time.GetUtcNow().UtcTicks);
        _snapshot = new TailSnapshot(version, [.. _tails.Values.Select(l => l.Subscriber)]);
    }

    private sealed record TailLease(TailSubscriber Subscriber, DateTimeOffset Expires);
}
