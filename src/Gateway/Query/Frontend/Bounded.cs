namespace Orleans.Loki.Gateway.Query.Frontend;

/// <summary>Runs sub-queries with a bound on how many run at once.</summary>
internal static class Bounded
{
    /// <summary>Starts <paramref name="count"/> calls, at most <paramref name="parallelism"/> running at a time, admitted in index order.</summary>
    public static Task<T>[] Start<T>(int count, int parallelism, Func<int, CancellationToken, Task<T>> run, CancellationToken ct)
    {
        var gate = new SemaphoreSlim(parallelism);
        var tasks = new Task<T>[count];
        for (var i = 0; i < count; i++)
        {
            tasks[i] = RunAsync(i);
        }
        return tasks;

        async Task<T> RunAsync(int index)
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await run(index, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// Waits for calls that were cancelled because their results are not needed. Their cancellation is expected;
    /// any other failure, or cancellation of the caller's own token, still surfaces.
    /// </summary>
    public static async Task DrainCancelledAsync<T>(IEnumerable<Task<T>> tasks, CancellationToken callerToken)
    {
        foreach (var task in tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
            {
                // Cancelled on purpose: the limit was already filled.
            }
        }
    }
}
