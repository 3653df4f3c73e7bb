namespace Orleans.Loki.Grains.Abstractions;

/// <summary>
/// The one compactor of the cluster (key 0): retention, physical deletes and the sweep of marked chunks, on a
/// timer every <c>compactor.compaction_interval</c>. Its progress lives in grain storage <c>loki-state</c>.
/// </summary>
[Alias("ICompactorGrain")]
public interface ICompactorGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the grain (and with it the timer); called periodically by every backend silo.</summary>
    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();

    /// <summary>One run now: retention and delete requests (when enabled), then the sweep of markers older than the delay.</summary>
    [Alias("RunOnce")]
    Task<CompactorRunResult> RunOnceAsync();
}
