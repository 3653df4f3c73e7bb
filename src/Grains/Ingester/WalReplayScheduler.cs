namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// Runs WAL replay (segment reads, entry decoding, chunk appends and block compression: CPU-bound work with blocking
/// file reads) on at most <see cref="MaximumConcurrencyLevel"/> dedicated threads, not on the thread pool.
/// </summary>
/// <remarks>
/// On the thread pool, a start-up replay queued one long work item per replaying stream (a hundred streams: a hundred
/// items, each running for up to a scheduling quantum at a time); every HTTP request, the liveness probe included,
/// queued behind all of them and waited seconds. Here the replay waits in this scheduler's own queue, the pool stays
/// free for requests, and the operating system shares the cores between both. Threads start when work is queued and
/// none is idle, and end after <see cref="IdleTimeout"/> without work.
/// </remarks>
public sealed class WalReplayScheduler : TaskScheduler
{
    /// <summary>How long an idle replay thread waits for more work before it ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    [ThreadStatic]
    private static WalReplayScheduler? t_current;

    private readonly Queue<Task> _queue = new();
    private readonly object _gate = new();
    private readonly int _maxThreads;
    private int _threads;
    private int _idle;
    private int _peakThreads;
    private long _tasksRun;

    /// <summary>A scheduler with up to <paramref name="maxThreads"/> threads.</summary>
    public WalReplayScheduler(int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        _maxThreads = maxThreads;
    }

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => _maxThreads;

    /// <summary>The most threads that ran at once so far.</summary>
    public int PeakThreads => Volatile.Read(ref _peakThreads);

    /// <summary>Tasks run so far (each replay step between two awaits is one).</summary>
    internal long TasksRun => Interlocked.Read(ref _tasksRun);

    /// <summary>Tasks waiting for a thread.</summary>
    internal int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> here; its awaits resume here too (they capture this scheduler), so none of its
    /// steps runs on the thread pool.
    /// </summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken ct = default) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            _queue.Enqueue(task);
            if (_idle > 0)
            {
                Monitor.Pulse(_gate);
                return;
            }
            if (_threads >= _maxThreads)
            {
                return;
            }
            _threads++;
            _peakThreads = Math.Max(_peakThreads, _threads);
        }
        new Thread(Work) { IsBackground = true, Name = "WAL replay" }.Start();
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        // Only on a replay thread: inlining elsewhere would run replay on the caller's (pool) thread.
        t_current == this && Inline(task);

    private bool Inline(Task task)
    {
        Interlocked.Increment(ref _tasksRun);
        return TryExecuteTask(task);
    }

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
        {
            return [.. _queue];
        }
    }

    private void Work()
    {
        t_current = this;
        while (Next() is { } task)
        {
            Interlocked.Increment(ref _tasksRun);
            TryExecuteTask(task);
        }
    }

    /// <summary>The next queued task, or null (and the thread ends) once none came within <see cref="IdleTimeout"/>.</summary>
    private Task? Next()
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                _idle++;
                Monitor.Wait(_gate, IdleTimeout);
                _idle--;
            }
            if (_queue.TryDequeue(out var task))
            {
                return task;
            }
            _threads--;
            return null;
        }
    }
}
