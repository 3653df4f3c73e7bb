using System.Collections.Concurrent;
using Orleans.Loki.Gateway.Query.Frontend;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>The frontend's queue: global concurrency bound, round-robin across tenants, bounded per-tenant queues.</summary>
public sealed class FairSchedulerTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_flooding_tenant_does_not_starve_another_tenant()
    {
        var scheduler = new FairScheduler(maxConcurrent: 1, maxOutstandingPerTenant: 100);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = scheduler.RunAsync("noisy", _ => gate.Task, CancellationToken.None);
        var order = new ConcurrentQueue<string>();
        Task<int> Job(string tenant, int n) => scheduler.RunAsync(tenant, _ =>
        {
            order.Enqueue($"{tenant}{n}");
            return Task.FromResult(n);
        }, CancellationToken.None);

        var noisy = Enumerable.Range(1, 50).Select(n => Job("noisy", n)).ToList();
        var quiet = Enumerable.Range(1, 2).Select(n => Job("quiet", n)).ToList();
        Assert.Equal(50, scheduler.Queued("noisy"));
        Assert.Equal(2, scheduler.Queued("quiet"));

        gate.SetResult(0);
        await Task.WhenAll(noisy.Concat(quiet).Append(blocker)).WaitAsync(s_deadline);
        // One slot: the tenants alternate, so the quiet tenant waits for one noisy sub-query each time, not fifty.
        Assert.Equal(["noisy1", "quiet1", "noisy2", "quiet2", "noisy3", "noisy4"], order.Take(6));
        Assert.Equal(52, order.Count);
    }

    [Fact]
    public async Task A_full_tenant_queue_refuses_more_while_other_tenants_are_admitted()
    {
        var scheduler = new FairScheduler(maxConcurrent: 1, maxOutstandingPerTenant: 3);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = scheduler.RunAsync("a", _ => gate.Task, CancellationToken.None);
        var queued = Enumerable.Range(0, 3).Select(n => scheduler.RunAsync("a", _ => Task.FromResult(n), CancellationToken.None)).ToList();

        var refused = await Assert.ThrowsAsync<TooManyOutstandingRequestsException>(() => scheduler.RunAsync("a", _ => Task.FromResult(9), CancellationToken.None));
        Assert.Equal("too many outstanding requests", refused.Message);
        var other = scheduler.RunAsync("b", _ => Task.FromResult(7), CancellationToken.None);

        gate.SetResult(-1);
        var results = await Task.WhenAll(queued.Prepend(blocker)).WaitAsync(s_deadline);
        Assert.Equal([-1, 0, 1, 2], results);
        Assert.Equal(7, await other.WaitAsync(s_deadline));
        // The queue drained: the tenant is admitted again.
        Assert.Equal(5, await scheduler.RunAsync("a", _ => Task.FromResult(5), CancellationToken.None).WaitAsync(s_deadline));
    }

    [Fact]
    public async Task No_more_than_max_concurrent_sub_queries_run_at_once()
    {
        var scheduler = new FairScheduler(maxConcurrent: 2, maxOutstandingPerTenant: 100);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        var most = 0;
        var jobs = Enumerable.Range(0, 8).Select(n => scheduler.RunAsync(n % 2 == 0 ? "a" : "b", async _ =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (now == 2)
            {
                bothRunning.TrySetResult();
            }
            await gate.Task;
            Interlocked.Decrement(ref running);
            return n;
        }, CancellationToken.None)).ToList();

        Assert.Equal(2, scheduler.Running);
        Assert.Equal(6, scheduler.Queued("a") + scheduler.Queued("b"));
        // Both slots' work has started before the gate opens, so the two overlap.
        await bothRunning.Task.WaitAsync(s_deadline);
        gate.SetResult(0);
        Assert.Equal(Enumerable.Range(0, 8), await Task.WhenAll(jobs).WaitAsync(s_deadline));
        Assert.Equal(2, most);
        Assert.Equal(0, scheduler.Running);
    }

    [Fact]
    public async Task A_cancelled_waiting_sub_query_leaves_the_queue_without_running()
    {
        var scheduler = new FairScheduler(maxConcurrent: 1, maxOutstandingPerTenant: 1);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = scheduler.RunAsync("a", _ => gate.Task, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var ran = false;
        var waiting = scheduler.RunAsync("a", _ =>
        {
            ran = true;
            return Task.FromResult(1);
        }, cts.Token);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(s_deadline));
        Assert.Equal(0, scheduler.Queued("a"));
        // Its place is free again.
        var next = scheduler.RunAsync("a", _ => Task.FromResult(2), CancellationToken.None);
        gate.SetResult(0);
        Assert.Equal(2, await next.WaitAsync(s_deadline));
        await blocker;
        Assert.False(ran);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
