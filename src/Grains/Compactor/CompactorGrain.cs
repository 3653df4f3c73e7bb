using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Storage;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>The compactor's persistent progress.</summary>
[GenerateSerializer, Alias("CompactorState")]
public sealed class CompactorState
{
    [Id(0)] public long LastRunNs { get; set; }
    [Id(1)] public long LastRetentionNs { get; set; }
    [Id(2)] public long Runs { get; set; }
}

/// <summary>
/// The one compactor of the cluster (key 0). Every <c>compaction_interval</c> it applies retention and the delete
/// requests past their cancel period (when <c>retention_enabled</c>), then sweeps markers older than
/// <c>retention_delete_delay</c>. Each step is idempotent and the order is chosen so that a run stopped anywhere is
/// finished by the next one: rewritten chunks are uploaded under content-addressed keys, then the old keys are written
/// to a marker in the object store, then the index is switched (the commit point), and only then is anything deleted.
/// </summary>
[Placement.RolePlacement(Placement.LokiModules.Compactor)]
internal sealed partial class CompactorGrain(
    [PersistentState("compactor", "loki-state")] IPersistentState<CompactorState> state,
    IObjectStore store,
    CompactorOptions options,
    IngesterOptions ingester,
    ILogger<CompactorGrain> logger) : Grain, ICompactorGrain
{
    private IGrainTimer? _timer;
    private Task<CompactorRunResult>? _running;

    private TimeProvider Time => ServiceProvider.GetKeyedService<TimeProvider>(CompactorServices.TimeKey)
        ?? ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;

    private ICompactorLimitsSource Limits => ServiceProvider.GetService<ICompactorLimitsSource>()
        ?? new DefaultCompactorLimitsSource(new CompactorLimits());

    private ICompactorFaults? Faults => ServiceProvider.GetService<ICompactorFaults>();

    private long NowNs => Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Loki waits one interval before the first run; so does this timer.
        _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(options.CompactionInterval, options.CompactionInterval) { Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    Task ICompactorGrain.EnsureRunningAsync() => Task.CompletedTask;

    Task<CompactorRunResult> ICompactorGrain.RunOnceAsync() => StartRun();

    private async Task OnTimerAsync(CancellationToken ct)
    {
        try
        {
            await StartRun();
        }
        catch (Exception e)
        {
            // The next tick retries; every step is idempotent.
            LogRunFailed(logger, e);
        }
    }

    /// <summary>The single in-flight run: a timer tick and an explicit call never run concurrently.</summary>
    private Task<CompactorRunResult> StartRun()
    {
        if (_running is { IsCompleted: false })
        {
            return _running;
        }
        _running = RunAsync();
        return _running;
    }

    private async Task<CompactorRunResult> RunAsync()
    {
        var result = new RunCounters();
        try
        {
            var now = NowNs;
            var retention = options.RetentionEnabled && RetentionDue(now);
            if (retention || options.ColdChunkCompaction)
            {
                foreach (var tenant in await TenantsAsync())
                {
                    if (retention)
                    {
                        await ApplyTenantAsync(tenant, now, result);
                    }
                    if (options.ColdChunkCompaction)
                    {
                        await CompactTenantAsync(tenant, now, result);
                    }
                }
                if (retention)
                {
                    state.State.LastRetentionNs = now;
                }
            }
            Faults?.Before(CompactorSteps.Sweep);
            await SweepAsync(now, result);
            state.State.LastRunNs = now;
            state.State.Runs++;
            await state.WriteStateAsync();
            CompactorMetrics.Runs.WithLabels("success").Inc();
            CompactorMetrics.LastSuccessfulRun.Set(now / 1e9);
            return result.ToResult();
        }
        catch
        {
            CompactorMetrics.Runs.WithLabels("failure").Inc();
            throw;
        }
    }

    /// <summary>
    /// Whether this run applies retention and delete requests: every run when <c>apply_retention_interval</c> is 0,
    /// otherwise once that interval has passed since the last retention pass (persisted, so a restart or a move to
    /// another silo keeps the rhythm). Runs come every <c>compaction_interval</c>; half of one is allowed for timer
    /// jitter, so an interval of k compaction intervals applies retention on every k-th run.
    /// </summary>
    private bool RetentionDue(long nowNs)
    {
        var interval = options.ApplyRetentionInterval.Ticks * 100;
        return interval <= 0 || state.State.LastRetentionNs == 0
            || nowNs - state.State.LastRetentionNs >= interval - (options.CompactionInterval.Ticks * 50);
    }

    /// <summary>Tenants with an index: the first segment of every <c>{tenant}/index/{day}/0</c> key.</summary>
    private async Task<List<string>> TenantsAsync()
    {
        var tenants = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(""))
        {
            var parts = info.Key.Split('/');
            if (parts.Length == 4 && parts[1] == "index" && parts[3] == "0" && int.TryParse(parts[2], out _))
            {
                tenants.Add(parts[0]);
            }
        }
        return [.. tenants];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "compactor run failed; the next run retries")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "compactor: tenant {Tenant}: {Marked} chunks marked, {Rewritten} rewritten, {Series} series removed")]
    private static partial void LogTenantApplied(ILogger logger, string tenant, int marked, int rewritten, int series);

    private sealed class RunCounters
    {
        public int Marked;
        public int Rewritten;
        public int Deleted;
        public int SeriesRemoved;
        public int IndexFilesRemoved;
        public int DeleteShards;
        public int Orphans;
        public int Compacted;
        public int CompactedInto;

        public CompactorRunResult ToResult() => new(Marked, Rewritten, Deleted, SeriesRemoved, IndexFilesRemoved, DeleteShards, Orphans)
        {
            ChunksCompacted = Compacted,
            ChunksCompactedInto = CompactedInto,
        };
    }
}
