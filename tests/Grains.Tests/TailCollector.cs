using System.Collections.Concurrent;
using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

/// <summary>A tail observer that records what stream grains send it.</summary>
internal sealed class TailCollector : ITailObserver
{
    private readonly ConcurrentQueue<(string Labels, long Ts, string Line)> _received = new();

    public IReadOnlyList<(string Labels, long Ts, string Line)> Received => [.. _received];

    public Task OnEntriesAsync(TailEntries entries)
    {
        foreach (var e in EntryBatch.Decode(entries.Batch))
        {
            _received.Enqueue((entries.Labels, e.TimestampNs, Encoding.UTF8.GetString(e.Line.Span)));
        }
        return Task.CompletedTask;
    }

    public bool Has(string line) => _received.Any(r => r.Line == line);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the deadline.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Polls an asynchronous condition (which may act, e.g. push another round) until it holds.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(condition, timeout ?? TimeSpan.FromSeconds(15), what);
}
