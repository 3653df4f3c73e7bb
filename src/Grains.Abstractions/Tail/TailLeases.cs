namespace Orleans.Loki.Grains.Tail;

/// <summary>Timing of tail subscriptions, shared by the hub (expiry) and the gateways (renewal).</summary>
public static class TailLeases
{
    /// <summary>How long a tail stays subscribed without a renewal: a dead gateway's tails are gone after this long.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);

    /// <summary>How often a gateway renews each of its tails: several renewals fit in one lease.</summary>
    public static readonly TimeSpan RenewPeriod = TimeSpan.FromSeconds(5);
}
