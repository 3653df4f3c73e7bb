using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Compactor;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>
/// The delete requests of a tail's tenants. The tail refreshes them before every message it sends (one generation
/// number read per tenant; the requests are read again only when it changed), so a request created while the tail runs
/// hides its lines from the next message on, as it does for queries.
/// </summary>
internal sealed class TailDeletes(IGrainFactory grains, IReadOnlyList<string> tenants)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Generation, IReadOnlyList<DeleteFilterSpec> Specs)> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, string Labels), DeleteFilter?> _filters = [];
    private int _version;

    /// <summary>Changes whenever any tenant's requests changed; lines checked under an older version are checked again.</summary>
    public int Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>Reads every tenant's generation number and, where it moved, its requests.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        foreach (var tenant in tenants)
        {
            var grain = GrainRefs.Get<IDeleteRequestsGrain>(grains, tenant);
            var generation = await grain.GenerationAsync().WaitAsync(ct).ConfigureAwait(false);
            lock (_gate)
            {
                if (_known.TryGetValue(tenant, out var known) && known.Generation == generation)
                {
                    continue;
                }
            }
            var specs = await grain.FiltersAsync().WaitAsync(ct).ConfigureAwait(false);
            lock (_gate)
            {
                _known[tenant] = (generation, specs);
                foreach (var key in _filters.Keys.Where(k => k.Tenant == tenant).ToList())
                {
                    _filters.Remove(key);
                }
                _version++;
            }
        }
    }

    /// <summary>True when a delete request of <paramref name="tenant"/> (null: the only tenant) deletes the entry of the stream with <paramref name="streamLabels"/>.</summary>
    public bool Deletes(string? tenant, string streamLabels, long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
    {
        tenant ??= tenants[0];
        lock (_gate)
        {
            if (!_filters.TryGetValue((tenant, streamLabels), out var filter))
            {
                filter = _known.TryGetValue(tenant, out var known) && known.Specs.Count > 0 && LabelSet.TryParse(streamLabels, out var pairs, out _)
                    ? DeleteFilter.ForStream(known.Specs, pairs)
                    : null;
                _filters[(tenant, streamLabels)] = filter;
            }
            // Pipelines keep per-call state: one check at a time.
            return filter is not null && filter.Deletes(timestampNs, line, metadata);
        }
    }
}
