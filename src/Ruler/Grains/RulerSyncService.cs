using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orleans.Loki.Ruler.Grains;

/// <summary>
/// Runs on every silo that hosts the ruler: asks the cluster's <see cref="IRulerSyncGrain"/> to sync every
/// <c>poll_interval</c> and as soon as a silo is declared dead, so that the groups it evaluated (and the sync grain
/// itself) are activated on a live silo without waiting for the next poll.
/// </summary>
public sealed partial class RulerSyncService(IGrainFactory grains, IClusterMembershipService membership, RulerOptions options, TimeProvider time, ILogger<RulerSyncService> logger) : BackgroundService
{
    private volatile TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = WatchMembershipAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IRulerSyncGrain>(0).SyncAsync(null).WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The cluster may be starting or a silo failing over: retried at the next poll or membership change.
                LogSyncFailed(logger, e);
            }
            var wake = _wake.Task;
            using var delayStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(options.PollInterval, time, delayStop.Token);
            await Task.WhenAny(delay, wake).ConfigureAwait(false);
            await delayStop.CancelAsync().ConfigureAwait(false);
            if (wake.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private async Task WatchMembershipAsync(CancellationToken ct)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct).ConfigureAwait(false))
            {
                var added = false;
                foreach (var (address, member) in snapshot.Members)
                {
                    if (member.Status == SiloStatus.Dead && dead.Add(address))
                    {
                        added = true;
                    }
                }
                if (added)
                {
                    _wake.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "rule sync failed")]
    private static partial void LogSyncFailed(ILogger logger, Exception e);
}
