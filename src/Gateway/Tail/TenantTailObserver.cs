using Orleans.Loki.Chunks;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>
/// One tenant's side of a multi-tenant tail (<c>X-Scope-OrgID: a|b</c>): the tenant's stream grains deliver to it, and
/// it hands the entries to the shared <see cref="TailSession"/> with <c>__tenant_id__</c> added to the stream's labels,
/// as multi-tenant queries label their streams.
/// </summary>
internal sealed class TenantTailObserver(TailSession session, string tenant) : ITailObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _labelled = new(StringComparer.Ordinal);

    Task ITailObserver.OnEntriesAsync(TailEntries entries)
    {
        if (Labelled(entries.Labels) is { } labels)
        {
            session.Accept(labels, EntryBatch.Decode(entries.Batch), tenant, entries.Labels);
        }
        return Task.CompletedTask;
    }

    /// <summary>The stream's labels with the tenant's; null for labels that do not parse (the session drops those too).</summary>
    private string? Labelled(string streamLabels)
    {
        lock (_gate)
        {
            if (_labelled.TryGetValue(streamLabels, out var labelled))
            {
                return labelled;
            }
            if (!LabelSet.TryParse(streamLabels, out var pairs, out _))
            {
                return null;
            }
            labelled = LabelSet.Format(MultiTenant.WithTenant(pairs, tenant));
            _labelled.Add(streamLabels, labelled);
            return labelled;
        }
    }
}
