using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Live tail: durable entries go to the observers of the tenant's tails whose selectors match this stream.</summary>
internal sealed partial class StreamGrain
{
    /// <summary>This tenant's entry of the silo's subscription cache (null when the silo has no tail services).</summary>
    private TailSubscriptionCache.TenantTails? _tails;
    private bool _tailsResolved;

    /// <summary>The subscriptions <see cref="_tailTargets"/> was computed from (labels never change, so neither do matches).</summary>
    private CompiledTails? _tailsSeen;
    private ITailObserver[] _tailTargets = [];

    /// <summary>
    /// Called once a group of batches is durable in the WAL (and acknowledged). Costs one clock read when the tenant
    /// has no tail; never waits for a tailer: observer calls are one-way.
    /// </summary>
    private void ForwardToTails(List<PendingBatch> group)
    {
        if (!_tailsResolved)
        {
            _tails = ServiceProvider.GetService<TailSubscriptionCache>()?.For(_tenant);
            _tailsResolved = true;
        }
        if (_tails is null)
        {
            return;
        }
        var tails = _tails.GetAsync();
        if (tails.IsCompletedSuccessfully)
        {
            Forward(tails.Result, group);
        }
        else
        {
            _ = ForwardWhenFetchedAsync(tails.AsTask(), group);
        }
    }

    private async Task ForwardWhenFetchedAsync(Task<CompiledTails> tails, List<PendingBatch> group) => Forward(await tails, group);

    private void Forward(CompiledTails tails, List<PendingBatch> group)
    {
        if (tails.IsEmpty || _labels is null)
        {
            return;
        }
        if (!ReferenceEquals(tails, _tailsSeen))
        {
            _tailTargets = LabelSet.TryParse(_labels, out var pairs, out var error) ? tails.Match(pairs) : [];
            if (error is not null)
            {
                LogTailLabelsUnparsable(logger, _tenant, _streamId, error);
            }
            _tailsSeen = tails;
        }
        if (_tailTargets.Length == 0)
        {
            return;
        }
        foreach (var batch in group)
        {
            if (batch.Duplicates == batch.Entries.Count)
            {
                // A retried push that stored nothing new: Loki tails only entries it stored.
                continue;
            }
            var entries = new TailEntries(_labels, EntryBatch.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch.Entries)), batch.Entries.Count);
            foreach (var target in _tailTargets)
            {
                // One-way: completes at once; a vanished gateway's observer simply receives nothing.
                _ = target.OnEntriesAsync(entries);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Tenant}/{StreamId}: labels do not parse ({Error}); not tailed")]
    private static partial void LogTailLabelsUnparsable(ILogger logger, string tenant, string streamId, string error);
}
