using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Testing;
using Orleans.TestingHost;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// WAL replay runs on the <see cref="WalReplayScheduler"/>'s own threads, never on the thread pool, and on no more
/// threads than its bound: replay on the pool queued every HTTP request (the liveness probe) behind it.
/// </summary>
public sealed class WalReplaySchedulerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_RunsOffTheThreadPool_AndResumesThereAfterAnAwait()
    {
        var scheduler = new WalReplayScheduler(2);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = scheduler.RunAsync(async () =>
        {
            var before = (Thread.CurrentThread.IsThreadPoolThread, TaskScheduler.Current == scheduler, Thread.CurrentThread.Name);
            started.SetResult();
            // Completed from the test's thread: the continuation must come back to the scheduler, not the pool.
            await resume.Task;
            var after = (Thread.CurrentThread.IsThreadPoolThread, TaskScheduler.Current == scheduler, Thread.CurrentThread.Name);
            return (before, after);
        });
        await started.Task.WaitAsync(s_timeout);
        resume.SetResult();

        var (before, after) = await work.WaitAsync(s_timeout);

        Assert.Equal((false, true, "WAL replay"), before);
        Assert.Equal((false, true, "WAL replay"), after);
    }

    [Fact]
    public async Task ManyReplays_RunOnAtMostTheBoundOfThreads_TheRestWait()
    {
        const int Bound = 2;
        var scheduler = new WalReplayScheduler(Bound);
        using var gate = new ManualResetEventSlim();
        using var started = new SemaphoreSlim(0);
        var running = 0;
        var mostRunning = 0;
        var replays = Enumerable.Range(0, 10).Select(_ => scheduler.RunAsync(() =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostRunning, now);
            started.Release();
            // Blocks as a synchronous file read does.
            gate.Wait(s_timeout);
            Interlocked.Decrement(ref running);
            return Task.FromResult(0);
        })).ToList();

        for (var i = 0; i < Bound; i++)
        {
            Assert.True(await started.WaitAsync(s_timeout));
        }
        // Both threads are blocked: everything else is still queued, none started a third thread.
        Assert.Equal(10 - Bound, scheduler.QueuedCount);
        Assert.Equal(Bound, Volatile.Read(ref running));

        gate.Set();
        await Task.WhenAll(replays).WaitAsync(s_timeout);

        Assert.Equal(Bound, mostRunning);
        Assert.Equal(Bound, scheduler.PeakThreads);
        Assert.Equal(0, scheduler.QueuedCount);
    }

    [Fact]
    public async Task RunAsync_PropagatesTheWorksException()
    {
        var scheduler = new WalReplayScheduler(1);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => scheduler.RunAsync<int>(() => throw new InvalidDataException("torn")));

        Assert.Equal("torn", error.Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}

/// <summary>A stream grain's activation replays its WAL on the silo's <see cref="WalReplayScheduler"/>.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WalReplayOnTheReplaySchedulerTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Activation_ReplaysItsWalOnTheReplayScheduler()
    {
        var tenant = "replay-scheduler-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var (labels, fp) = StreamClient.Stream(("app", "replay-scheduler"));
        var streamId = StorageKeys.StreamId(fp);
        await fixture.Store.PutAsync(StorageKeys.WalLabels(tenant, streamId), Encoding.UTF8.GetBytes(labels));
        var records = EntryBatch.Encode([.. Enumerable.Range(0, 5).Select(i => new LogEntry(now + i, Encoding.UTF8.GetBytes($"replayed {i}"), null))]);
        await fixture.Store.PutAsync(StorageKeys.WalSegment(tenant, streamId, 1), records);
        var schedulers = fixture.Cluster.Silos.OfType<InProcessSiloHandle>()
            .Select(s => s.SiloHost.Services.GetRequiredService<WalReplayScheduler>()).ToList();
        Assert.NotEmpty(schedulers);
        var before = schedulers.Sum(s => s.TasksRun);

        var inMemory = await client.Grain(fp).InMemoryChunksAsync(now, now + 100);

        Assert.Equal(5, inMemory.Single().Entries);
        Assert.True(schedulers.Sum(s => s.TasksRun) > before, "the replay ran on no replay thread");
        Assert.All(schedulers, s => Assert.InRange(s.PeakThreads, 0, s.MaximumConcurrencyLevel));
        await client.Grain(fp).FlushAsync();
    }
}
