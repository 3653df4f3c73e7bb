using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>The alert lifecycle and recording, on a fake clock with a scripted query runner.</summary>
public sealed class RuleGroupEvaluatorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedRunner _runner = new();

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

    private static RuleGroupEvaluator Evaluator(RuleDesc rule, RulerOptions? options = null, int limit = 0) =>
        new("t", new RuleGroupDesc { Namespace = "ns", Name = "g", Interval = Interval, Limit = limit, Rules = [rule] },
            options ?? new RulerOptions { ExternalUrl = "http://loki.example", ExternalLabels = new() { ["cluster"] = "c1" } });

    private static RuleDesc Alert(TimeSpan forDuration, TimeSpan keepFiringFor = default) => new()
    {
        Alert = "TooManyErrors",
        Expr = """sum by (app) (count_over_time({app="x"} |= "error" [1m])) > 5""",
        For = forDuration,
        KeepFiringFor = keepFiringFor,
        Labels = new() { ["severity"] = "page", ["app_upper"] = "{{ $labels.app | toUpper }}" },
        Annotations = new() { ["summary"] = "{{ $labels.app }}: {{ $value }} errors ({{ humanize $value }}, {{ printf \"%.1f\" $value }})" },
    };

    private async Task<GroupEvaluation> StepAsync(RuleGroupEvaluator e)
    {
        _clock.Advance(Interval);
        return await e.EvaluateAsync(Now, _runner, CancellationToken.None);
    }

    [Fact]
    public async Task Alert_IsPendingUntilForHasPassed_ThenFires()
    {
        var e = Evaluator(Alert(TimeSpan.FromMinutes(3)));
        _runner.Result = [Sample(12)];
        var first = await StepAsync(e);
        var activeAt = Now;
        Assert.Empty(first.Alerts);   // pending alerts are never sent
        Assert.Equal(AlertState.Pending, e.Rules[0].State);
        await StepAsync(e);
        var third = await StepAsync(e);
        Assert.Equal(AlertState.Pending, e.Rules[0].State);   // 2m active < 3m
        Assert.Empty(third.Alerts);
        var fourth = await StepAsync(e);                        // 3m active: fires
        Assert.Equal(AlertState.Firing, e.Rules[0].State);
        var sent = Assert.Single(fourth.Alerts);
        Assert.Equal(Now, sent.StartsAtNs);
        Assert.Equal(activeAt, e.Rules[0].Active.Values.Single().ActiveAtNs);
        Assert.Equal(Now + (4 * (long)Interval.TotalNanoseconds), sent.EndsAtNs);
    }

    [Fact]
    public async Task Alert_LabelsAndAnnotations_AreTemplated_WithExternalLabelsAndGeneratorUrl()
    {
        var e = Evaluator(Alert(TimeSpan.Zero));
        _runner.Result = [Sample(1234.5)];
        var sent = Assert.Single((await StepAsync(e)).Alerts);
        Assert.Equal("TooManyErrors", sent.Labels["alertname"]);
        Assert.Equal("page", sent.Labels["severity"]);
        Assert.Equal("X", sent.Labels["app_upper"]);
        Assert.Equal("x", sent.Labels["app"]);
        Assert.Equal("c1", sent.Labels["cluster"]);
        Assert.Equal("x: 1234.5 errors (1.234k, 1234.5)", sent.Annotations["summary"]);
        Assert.StartsWith("http://loki.example/explore?left={\"queries\":[%7B%22expr%22%3A%22sum+by+%28app%29", sent.GeneratorUrl, StringComparison.Ordinal);
        Assert.EndsWith("%22queryType%22%3A%22range%22%7D]}", sent.GeneratorUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_ConditionCleared_IsResolvedWithEndsAt_AndResentUntilRetentionEnds()
    {
        var e = Evaluator(Alert(TimeSpan.Zero));
        _runner.Result = [Sample(9)];
        await StepAsync(e);
        _runner.Result = [];
        var resolved = Assert.Single((await StepAsync(e)).Alerts);
        Assert.Equal(Now, resolved.EndsAtNs);
        Assert.Equal(AlertState.Inactive, e.Rules[0].State);
        // Re-sent once more than resend_delay (1m) after the last send while kept (15 min), then forgotten.
        var resent = new List<long>();
        for (var i = 0; i < 16; i++)
        {
            foreach (var a in (await StepAsync(e)).Alerts)
            {
                Assert.Equal(resolved.EndsAtNs, a.EndsAtNs);
                resent.Add(Now);
            }
        }
        Assert.Equal(7, resent.Count);   // +2m, +4m, ... +14m
        Assert.Empty(e.Rules[0].Active);
    }

    [Fact]
    public async Task Alert_KeepFiringFor_KeepsItFiringAfterTheConditionCleared()
    {
        var e = Evaluator(Alert(TimeSpan.Zero, keepFiringFor: TimeSpan.FromMinutes(2)));
        _runner.Result = [Sample(9)];
        await StepAsync(e);
        _runner.Result = [];
        await StepAsync(e);
        Assert.Equal(AlertState.Firing, e.Rules[0].State);   // 0m since cleared
        await StepAsync(e);
        Assert.Equal(AlertState.Firing, e.Rules[0].State);   // 1m since cleared
        var third = await StepAsync(e);                       // 2m: resolved
        Assert.Equal(AlertState.Inactive, e.Rules[0].State);
        Assert.Equal(Now, Assert.Single(third.Alerts).EndsAtNs);
    }

    [Fact]
    public async Task FiringAlert_IsResentOnlyAfterResendDelay()
    {
        var e = Evaluator(Alert(TimeSpan.Zero), new RulerOptions { ResendDelay = TimeSpan.FromMinutes(3) });
        _runner.Result = [Sample(9)];
        Assert.Single((await StepAsync(e)).Alerts);
        Assert.Empty((await StepAsync(e)).Alerts);
        Assert.Empty((await StepAsync(e)).Alerts);
        Assert.Empty((await StepAsync(e)).Alerts);   // exactly 3m: not yet (Prometheus: strictly after)
        Assert.Single((await StepAsync(e)).Alerts);
    }

    [Fact]
    public async Task PendingAlertLeavingResult_IsDroppedWithoutNotification()
    {
        var e = Evaluator(Alert(TimeSpan.FromMinutes(5)));
        _runner.Result = [Sample(9)];
        await StepAsync(e);
        _runner.Result = [];
        Assert.Empty((await StepAsync(e)).Alerts);
        Assert.Empty(e.Rules[0].Active);
    }

    [Fact]
    public async Task Restore_FiringAlert_StaysFiringWithItsStartTime()
    {
        var e = Evaluator(Alert(TimeSpan.FromMinutes(2)));
        _runner.Result = [Sample(9)];
        for (var i = 0; i < 4; i++)
        {
            await StepAsync(e);
        }
        var firedAt = e.Rules[0].Active.Values.Single().FiredAtNs;
        Assert.Equal(AlertState.Firing, e.Rules[0].State);

        var moved = Evaluator(Alert(TimeSpan.FromMinutes(2)));
        moved.Restore(e.Snapshot(), e.LastEvaluationNs);
        _clock.Advance(TimeSpan.FromSeconds(20));
        var next = await StepAsync(moved);
        Assert.Equal(AlertState.Firing, moved.Rules[0].State);
        Assert.Equal(firedAt, moved.Rules[0].Active.Values.Single().FiredAtNs);
        Assert.All(next.Alerts, a => Assert.Equal(firedAt, a.StartsAtNs));
    }

    [Fact]
    public async Task Restore_PendingAlertWithLongFor_KeepsTimeSpentPending_ShiftedByTheDowntime()
    {
        // for (30m) >= for_grace_period (10m): Prometheus restores the for state, shifted by the downtime.
        var e = Evaluator(Alert(TimeSpan.FromMinutes(30)));
        _runner.Result = [Sample(9)];
        for (var i = 0; i < 5; i++)
        {
            await StepAsync(e);
        }
        var activeAt = e.Rules[0].Active.Values.Single().ActiveAtNs;
        var downAt = e.LastEvaluationNs;

        var moved = Evaluator(Alert(TimeSpan.FromMinutes(30)));
        moved.Restore(e.Snapshot(), downAt);
        _clock.Advance(TimeSpan.FromMinutes(2));   // down for 3 evaluation intervals (2m + the next step)
        await StepAsync(moved);
        var restored = moved.Rules[0].Active.Values.Single();
        Assert.Equal(AlertState.Pending, restored.State);
        Assert.Equal(activeAt + (Now - downAt), restored.ActiveAtNs);
    }

    [Fact]
    public async Task Restore_PendingAlertWithShortFor_StartsItsForAgain()
    {
        // for (5m) < for_grace_period (10m): Prometheus does not restore; the alert waits its whole for again.
        var e = Evaluator(Alert(TimeSpan.FromMinutes(5)));
        _runner.Result = [Sample(9)];
        await StepAsync(e);
        await StepAsync(e);
        var moved = Evaluator(Alert(TimeSpan.FromMinutes(5)));
        moved.Restore(e.Snapshot(), e.LastEvaluationNs);
        await StepAsync(moved);
        Assert.Equal(Now, moved.Rules[0].Active.Values.Single().ActiveAtNs);
    }

    [Fact]
    public async Task Alert_OverGroupLimit_ClearsAlertsAndFailsTheRule()
    {
        var e = Evaluator(Alert(TimeSpan.Zero), limit: 1);
        _runner.Result = [Sample(9, "a"), Sample(9, "b")];
        var result = await StepAsync(e);
        Assert.Equal(1, result.Failures);
        Assert.Equal("err", e.Rules[0].Health);
        Assert.Equal("exceeded limit of 1 with 2 alerts", e.Rules[0].LastError);
        Assert.Empty(e.Rules[0].Active);
    }

    [Fact]
    public async Task Record_SamplesCarryResultLabelsRuleLabelsAndName_AtTheEvaluationTime()
    {
        var e = Evaluator(new RuleDesc { Record = "app:errors:sum", Expr = "sum by (app) (count_over_time({app=\"x\"}[1m]))", Labels = new() { ["app"] = "override", ["team"] = "a" } });
        _runner.Result = [Sample(7, "x")];
        var result = await StepAsync(e);
        var s = Assert.Single(result.Samples);
        Assert.Equal(7, s.Value);
        Assert.Equal(Now / 1_000_000, s.TimestampMs);
        Assert.Equal([new("__name__", "app:errors:sum"), new("app", "override"), new("team", "a")], s.Labels);
        Assert.Equal("ok", e.Rules[0].Health);
    }

    [Fact]
    public async Task FailingQuery_MarksTheRuleUnhealthyWithTheError()
    {
        var e = Evaluator(Alert(TimeSpan.Zero));
        _runner.Error = "rule result is not a vector or scalar";
        var result = await StepAsync(e);
        Assert.Equal(1, result.Failures);
        Assert.Equal(("err", "rule result is not a vector or scalar"), (e.Rules[0].Health, e.Rules[0].LastError));
    }

    private static RuleSample Sample(double value, string app = "x") => new([new("app", app)], value);

    private sealed class ScriptedRunner : IRuleQueryRunner
    {
        public IReadOnlyList<RuleSample> Result { get; set; } = [];
        public string? Error { get; set; }

        public Task<IReadOnlyList<RuleSample>> InstantAsync(string tenant, string expr, long atNs, CancellationToken ct) =>
            Error is { } e ? throw new RuleEvaluationException(e) : Task.FromResult(Result);
    }
}
