namespace Orleans.Loki.Grains.Tail;

/// <summary>In-memory registry of a tenant's live tails, with leases (see <see cref="ITailHubGrain"/>).</summary>
[Placement.RolePlacement(Placement.LokiModules.Ingester)]
internal sealed class TailHubGrain(TimeProvider time) : Grain, ITailHubGrain
{
    private readonly TailLeaseTable _tails = new(time);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Expiry also happens on every subscribe and renew; the timer covers a tenant whose gateways all died.
        this.RegisterGrainTimer(
            static (hub, _) =>
            {
                hub._tails.Expire();
                return Task.CompletedTask;
            },
            this,
            new GrainTimerCreationOptions(TailLeases.RenewPeriod, TailLeases.RenewPeriod) { KeepAlive = false });
        return Task.CompletedTask;
    }

    Task<TailSubscribeResult> ITailHubGrain.SubscribeAsync(TailSubscriber subscriber, int maxConcurrentTails) =>
        Task.FromResult(_tails.Subscribe(subscriber, maxConcurrentTails));

    Task<bool> ITailHubGrain.RenewAsync(Guid id) => Task.FromResult(_tails.Renew(id));

    Task ITailHubGrain.UnsubscribeAsync(Guid id)
    {
        _tails.Unsubscribe(id);
        return Task.CompletedTask;
    }

    Task<TailSnapshot> ITailHubGrain.GetSnapshotAsync() => Task.FromResult(_tails.Snapshot);
}
