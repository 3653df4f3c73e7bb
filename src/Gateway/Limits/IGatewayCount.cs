namespace Orleans.Loki.Gateway.Limits;

/// <summary>How many processes currently serve the HTTP API (Loki's distributor ring size, for the global rate strategy).</summary>
public interface IGatewayCount
{
    /// <summary>At least 1.</summary>
    int Count { get; }
}

/// <summary>
/// Every silo serves HTTP, so the gateways are the active silos of the Orleans membership table. The count is cached
/// per membership version, so asking on every push costs a field read.
/// </summary>
public sealed class MembershipGatewayCount(IClusterMembershipService? membership) : IGatewayCount
{
    private (MembershipVersion Version, int Count) _cached = (MembershipVersion.MinValue, 1);

    public int Count
    {
        get
        {
            if (membership is null)
            {
                return 1;
            }
            var snapshot = membership.CurrentSnapshot;
            var cached = _cached;
            if (snapshot.Version == cached.Version)
            {
                return cached.Count;
            }
            var active = 0;
            foreach (var member in snapshot.Members.Values)
            {
                if (member.Status == SiloStatus.Active)
                {
                    active++;
                }
            }
            cached = (snapshot.Version, Math.Max(1, active));
            _cached = cached;
            return cached.Count;
        }
    }
}
