using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orleans.Loki.Grains.Tail;

/// <summary>
/// Per silo: each tenant's tail subscriptions, fetched from its <see cref="ITailHubGrain"/> at most once per
/// <see cref="RefreshInterval"/>. This is what keeps the push path free when nobody tails: a stream grain asks this
/// cache (one clock read against the entry it keeps), and only a stale entry costs one hub call, shared by every stream
/// grain of the tenant on the silo.
/// </summary>
public sealed partial class TailSubscriptionCache(IGrainFactory grains, TimeProvider time, ILogger<TailSubscriptionCache> logger)
{
    /// <summary>How stale a tenant's subscriptions may get: a new tail sees every stream within about this long.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, TenantTails> _tenants = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains = grains;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    /// <summary>The tenant's compiled subscriptions; completes synchronously while the cached copy is fresh. Never faults.</summary>
    internal ValueTask<CompiledTails> GetAsync(string tenant) => For(tenant).GetAsync();

    /// <summary>The cache entry of one tenant; a stream grain keeps it, so each push skips the dictionary lookup.</summary>
    internal TenantTails For(string tenant) => _tenants.GetOrAdd(tenant, static (t, cache) => new TenantTails(cache, t), this);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the tail subscriptions of tenant {Tenant}; using the last known ones")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string tenant);

    /// <summary>One tenant's subscriptions on this silo.</summary>
    internal sealed class TenantTails(TailSubscriptionCache cache, string tenant)
    {
        private readonly Lock _gate = new();
        private CompiledTails? _current;
        /// <summary>Clock timestamp (<see cref="TimeProvider.GetTimestamp"/>) after which <see cref="_current"/> is stale.</summary>
        private long _staleAt;
        private Task<CompiledTails>? _refresh;

        public ValueTask<CompiledTails> GetAsync()
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && cache._time.GetTimestamp() < Volatile.Read(ref _staleAt))
            {
                return new ValueTask<CompiledTails>(current);
            }
            lock (_gate)
            {
                if (_refresh is null || _refresh.IsCompleted)
                {
                    _refresh = RefreshAsync(current);
                }
                return new ValueTask<CompiledTails>(_refresh);
            }
        }

        private async Task<CompiledTails> RefreshAsync(CompiledTails? previous)
        {
            CompiledTails next;
            try
            {
                // Off the calling grain's scheduler: the refresh serves every stream grain of the tenant, not the caller.
                var snapshot = await Task.Run(() => cache._grains.GetGrain<ITailHubGrain>(tenant).GetSnapshotAsync()).ConfigureAwait(false);
                next = previous is not null && previous.Version == snapshot.Version ? previous : CompiledTails.Compile(snapshot);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The hub is unreachable (silo failing over): keep forwarding to the tails we knew; retry after the interval.
                LogRefreshFailed(cache._logger, e, tenant);
                next = previous ?? CompiledTails.Empty;
            }
            var time = cache._time;
            Volatile.Write(ref _staleAt, time.GetTimestamp() + (long)(RefreshInterval.TotalSeconds * time.TimestampFrequency));
            Volatile.Write(ref _current, next);
            return next;
        }
    }
}
