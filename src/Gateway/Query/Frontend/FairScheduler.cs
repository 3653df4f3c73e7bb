namespace Orleans.Loki.Gateway.Query.Frontend;

/// <summary>
/// The queue every sub-query of every tenant goes through, as Loki's query frontend/scheduler queue: at most
/// <c>maxConcurrent</c> sub-queries run at once across all tenants; waiting ones are kept in one bounded FIFO queue
/// per tenant, and a free slot goes to the next tenant in round-robin order, so a tenant with thousands of queued
/// sub-queries delays another tenant's by at most one sub-query per tenant ahead of it in the ring.
/// A full tenant queue refuses new sub-queries (<see cref="TooManyOutstandingRequestsException"/>, HTTP 429).
/// </summary>
public sealed class FairScheduler
{
    private readonly object _lock = new();
    private readonly Dictionary<string, LinkedList<Job>> _queues = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _ring = new();
    private readonly int _maxConcurrent;
    private readonly int _maxOutstandingPerTenant;
    private int _running;

    /// <summary>Creates a scheduler; bounds below 1 are raised to 1.</summary>
    public FairScheduler(int maxConcurrent, int maxOutstandingPerTenant)
    {
        _maxConcurrent = Math.Max(1, maxConcurrent);
        _maxOutstandingPerTenant = Math.Max(1, maxOutstandingPerTenant);
    }

    /// <summary>Sub-queries running now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>Sub-queries of <paramref name="queue"/> waiting for a slot.</summary>
    public int Queued(string queue)
    {
        lock (_lock)
        {
            return _queues.TryGetValue(queue, out var q) ? q.Count : 0;
        }
    }

    /// <summary>
    /// Queues <paramref name="work"/> for <paramref name="queue"/> (a tenant, or <c>a|b</c> for a multi-tenant query)
    /// and completes with its result once it ran. Cancelling <paramref name="ct"/> takes a waiting call out of the queue.
    /// </summary>
    /// <exception cref="TooManyOutstandingRequestsException">The queue holds <c>max_outstanding_per_tenant</c> calls already.</exception>
    public Task<T> RunAsync<T>(string queue, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(ct);
        }
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = new Job(queue, () => Forward(work, done, ct), () => done.TrySetCanceled(ct));
        lock (_lock)
        {
            if (!_queues.TryGetValue(queue, out var waiting))
            {
                waiting = new LinkedList<Job>();
                _queues.Add(queue, waiting);
            }
            if (waiting.Count >= _maxOutstandingPerTenant)
            {
                throw new TooManyOutstandingRequestsException();
            }
            job.Node = waiting.AddLast(job);
            if (waiting.Count == 1)
            {
                _ring.AddLast(queue);
            }
        }
        job.Registration = ct.Register(() => Withdraw(job));
        Dispatch();
        return done.Task;
    }

    /// <summary>Runs the work and returns how to hand its outcome to the caller, applied once the slot is free again.</summary>
    private static async Task<Action> Forward<T>(Func<CancellationToken, Task<T>> work, TaskCompletionSource<T> done, CancellationToken ct)
    {
        try
        {
            var result = await work(ct).ConfigureAwait(false);
            return () => done.TrySetResult(result);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return () => done.TrySetCanceled(ct);
        }
        catch (Exception e)
        {
            // Handed to the caller awaiting the result, not swallowed.
            return () => done.TrySetException(e);
        }
    }

    /// <summary>Takes a waiting job out of its queue when its caller gives up; a running job finishes on its own.</summary>
    private void Withdraw(Job job)
    {
        lock (_lock)
        {
            if (job.Node is null)
            {
                return;
            }
            Remove(job);
        }
        job.Cancel();
    }

    private void Remove(Job job)
    {
        var waiting = job.Node!.List!;
        waiting.Remove(job.Node);
        job.Node = null;
        if (waiting.Count == 0)
        {
            _ring.Remove(job.Queue);
            _queues.Remove(job.Queue);
        }
    }

    /// <summary>Starts waiting jobs while slots are free, taking one job per tenant in ring order.</summary>
    private void Dispatch()
    {
        while (true)
        {
            Job job;
            lock (_lock)
            {
                if (_running >= _maxConcurrent || _ring.First is null)
                {
                    return;
                }
                var queue = _ring.First.Value;
                job = _queues[queue].First!.Value;
                Remove(job);
                if (_queues.ContainsKey(queue))
                {
                    // More waiting: the tenant goes to the back of the ring.
                    _ring.Remove(queue);
                    _ring.AddLast(queue);
                }
                _running++;
            }
            job.Registration.Dispose();
            _ = RunJobAsync(job);
        }
    }

    private async Task RunJobAsync(Job job)
    {
        Action? complete = null;
        try
        {
            // Off the caller's stack: Dispatch may run inside another job's completion.
            await Task.Yield();
            complete = await job.Start().ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _running--;
            }
            // The caller sees its result only after the slot is released, so Running never counts a finished call.
            complete?.Invoke();
            Dispatch();
        }
    }

    private sealed class Job(string queue, Func<Task<Action>> start, Action cancel)
    {
        public string Queue { get; } = queue;

        public Func<Task<Action>> Start { get; } = start;

        public Action Cancel { get; } = cancel;

        public LinkedListNode<Job>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}

/// <summary>A tenant's sub-query queue is full (Loki's 429 <c>too many outstanding requests</c>).</summary>
public sealed class TooManyOutstandingRequestsException : Exception
{
    /// <summary>Creates the exception with Loki's text.</summary>
    public TooManyOutstandingRequestsException()
        : base("too many outstanding requests")
    {
    }
}
