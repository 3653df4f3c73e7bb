using Orleans.Concurrency;

namespace Orleans.Loki.Grains.Tail;

/// <summary>
/// One live tail (one websocket connection on a gateway). Stream grains call it with entries that are already durable.
/// </summary>
/// <remarks>
/// One-way: a stream grain never waits for a tailer, so a slow or vanished client cannot slow a push. The tailer bounds
/// its own buffer and reports what it could not keep as dropped entries.
/// </remarks>
[Alias("ITailObserver")]
public interface ITailObserver : IGrainObserver
{
    /// <summary>Entries of one stream, in the order they were committed.</summary>
    [Alias("OnEntries"), OneWay]
    Task OnEntriesAsync(TailEntries entries);
}
