using Microsoft.Extensions.Logging;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Notify;
using Orleans.Loki.Ruler.RemoteWrite;
using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Grains;

/// <summary>
/// Evaluates one rule group every interval in Prometheus' slots (<see cref="GroupSchedule"/>), through the query
/// frontend, and keeps the definition and alert state in grain storage (<c>loki-state</c>), so a group that moves to
/// another silo (its silo died, or it was rebalanced) resumes at its next slot with its alerts: firing alerts keep
/// firing with the same start time, pending ones get their <c>for</c> timer back as Prometheus restores it.
/// The timer keeps the grain active; the rule sync re-activates it elsewhere when its silo dies.
/// </summary>
// On silos running the ruler module (backend, all, ruler), spread at random over them.
[Orleans.Loki.Grains.Placement.RolePlacement(Orleans.Loki.Grains.Placement.LokiModules.Ruler)]
public sealed partial class RuleGroupGrain(
    [PersistentState("rulegroup", "loki-state")] IPersistentState<RuleGroupState> state,
    IRuleQueryRunner runner,
    AlertmanagerNotifier notifier,
    RemoteWriter remoteWriter,
    RulerOptions options,
    TimeProvider time,
    ILogger<RuleGroupGrain> logger) : Grain, IRuleGroupGrain
{
    private RuleGroupEvaluator? _evaluator;
    private IGrainTimer? _timer;
    private long _nextNs;
    private string _tenant = "";
    private string _metricGroup = "";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (tenant, ns, group) = RuleGroupKey.Parse(this.GetPrimaryKeyString());
        _tenant = tenant;
        _metricGroup = $"{ns};{group}";
        if (state.State.Group is { } desc)
        {
            Start(desc, restore: true);
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        RulerMetrics.Remove(_tenant, _metricGroup);
        return Task.CompletedTask;
    }

    async Task IRuleGroupGrain.SyncAsync(RuleGroupDesc? group)
    {
        if (group is null)
        {
            _timer?.Dispose();
            _timer = null;
            _evaluator = null;
            if (state.RecordExists)
            {
                await state.ClearStateAsync();
            }
            DeactivateOnIdle();
            return;
        }
        var fingerprint = group.Fingerprint();
        if (fingerprint == state.State.Fingerprint && _evaluator is not null)
        {
            return;
        }
        // A changed definition starts over with its alerts, as Prometheus does for a changed rule: alerts of rules that
        // are unchanged (same name, expression and for) are kept.
        var previous = _evaluator;
        state.State.Group = group;
        state.State.Fingerprint = fingerprint;
        state.State.Alerts = Carry(previous, group);
        await state.WriteStateAsync();
        Start(group, restore: previous is null);
    }

    Task<RuleGroupStatus?> IRuleGroupGrain.GetStatusAsync()
    {
        if (_evaluator is not { } e)
        {
            return Task.FromResult<RuleGroupStatus?>(null);
        }
        var rules = e.Rules.Select(r => new RuleStatus(r.Health, r.LastError, r.LastEvaluationNs, r.EvaluationSeconds, r.State,
            [.. r.Active.Values.Where(a => a.State != AlertState.Inactive).Select(Copy)])).ToList();
        return Task.FromResult<RuleGroupStatus?>(new RuleGroupStatus(e.Group, e.Interval, e.LastEvaluationNs, e.LastDurationSeconds, rules));
    }

    private static List<List<ActiveAlert>> Carry(RuleGroupEvaluator? previous, RuleGroupDesc group)
    {
        var result = new List<List<ActiveAlert>>();
        foreach (var rule in group.Rules)
        {
            var old = previous?.Rules.FirstOrDefault(r => r.Desc.Alert == rule.Alert && r.Desc.Expr == rule.Expr && r.Desc.For == rule.For && rule.IsAlert);
            result.Add(old is null ? [] : [.. old.Active.Values]);
        }
        return result;
    }

    private void Start(RuleGroupDesc desc, bool restore)
    {
        _timer?.Dispose();
        var evaluator = new RuleGroupEvaluator(_tenant, desc, options);
        var nowNs = NowNs();
        if (state.State.Alerts.Count > 0)
        {
            // After a restart or a move the stored alerts come back (restore), after an edit the kept ones do.
            evaluator.Restore(state.State.Alerts, restore ? state.State.LastEvaluationNs : 0);
        }
        _evaluator = evaluator;
        var intervalNs = (long)evaluator.Interval.TotalNanoseconds;
        var offset = GroupSchedule.Offset(desc.Namespace, desc.Name, intervalNs);
        _nextNs = GroupSchedule.FirstEvaluation(offset, intervalNs, nowNs);
        var current = GroupSchedule.EvalTimestamp(offset, intervalNs, nowNs);
        if (state.State.LastEvaluationNs > 0 && current > state.State.LastEvaluationNs)
        {
            // The group moved (or the cluster restarted) and its due slot was not evaluated: evaluate it now.
            _nextNs = current;
        }
        RulerMetrics.Interval.WithLabels(_tenant, _metricGroup).Set(evaluator.Interval.TotalSeconds);
        RulerMetrics.Rules.WithLabels(_tenant, _metricGroup).Set(desc.Rules.Count);
        Schedule(nowNs);
    }

    private void Schedule(long nowNs)
    {
        var due = TimeSpan.FromTicks(Math.Max(0, (_nextNs - nowNs) / 100));
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true, Interleave = false });
    }

    private async Task TickAsync(CancellationToken ct)
    {
        if (_evaluator is not { } evaluator)
        {
            return;
        }
        var ts = _nextNs;
        var intervalNs = (long)evaluator.Interval.TotalNanoseconds;
        RulerMetrics.Lag.Observe(Math.Max(0, (NowNs() - ts) / 1e9));
        try
        {
            var result = await evaluator.EvaluateAsync(ts, runner, ct);
            RulerMetrics.Iterations.WithLabels(_tenant, _metricGroup).Inc();
            RulerMetrics.Evaluations.WithLabels(_tenant, _metricGroup).Inc(evaluator.Rules.Count);
            if (result.Failures > 0)
            {
                RulerMetrics.Failures.WithLabels(_tenant, _metricGroup).Inc(result.Failures);
            }
            RulerMetrics.LastEvaluation.WithLabels(_tenant, _metricGroup).Set(ts / 1e9);
            RulerMetrics.LastDuration.WithLabels(_tenant, _metricGroup).Set(evaluator.LastDurationSeconds);
            RulerMetrics.GroupDuration.WithLabels(_tenant).Observe(evaluator.LastDurationSeconds);
            foreach (var r in evaluator.Rules)
            {
                RulerMetrics.EvaluationDuration.WithLabels(_tenant).Observe(r.EvaluationSeconds);
            }
            if (result.Alerts.Count > 0)
            {
                notifier.Send(_tenant, result.Alerts);
            }
            if (result.Samples.Count > 0)
            {
                remoteWriter.Append(_tenant, result.Samples);
            }
            var snapshot = evaluator.Snapshot();
            var hasAlerts = snapshot.Any(l => l.Count > 0);
            var hadAlerts = state.State.Alerts.Any(l => l.Count > 0);
            state.State.LastEvaluationNs = ts;
            if (hasAlerts || hadAlerts)
            {
                state.State.Alerts = snapshot;
                await state.WriteStateAsync();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A storage failure must not stop the group: the next slot evaluates again.
            LogEvaluationFailed(logger, _tenant, _metricGroup, e);
        }
        var (next, missed) = GroupSchedule.NextAfter(ts, intervalNs, NowNs());
        if (missed > 0)
        {
            RulerMetrics.Missed.WithLabels(_tenant, _metricGroup).Inc(missed);
            RulerMetrics.Iterations.WithLabels(_tenant, _metricGroup).Inc(missed);
        }
        _nextNs = next;
        Schedule(NowNs());
    }

    private long NowNs() => time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

    private static ActiveAlert Copy(ActiveAlert a) => new()
    {
        Labels = new(a.Labels),
        Annotations = new(a.Annotations),
        State = a.State,
        Value = a.Value,
        ActiveAtNs = a.ActiveAtNs,
        FiredAtNs = a.FiredAtNs,
        ResolvedAtNs = a.ResolvedAtNs,
        LastSentAtNs = a.LastSentAtNs,
        ValidUntilNs = a.ValidUntilNs,
        KeepFiringSinceNs = a.KeepFiringSinceNs,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "rule group {Tenant}/{Group}: evaluation failed")]
    private static partial void LogEvaluationFailed(ILogger logger, string tenant, string group, Exception e);
}
