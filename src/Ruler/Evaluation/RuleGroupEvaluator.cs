using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.Loki.LogQL.Log.Template;
using Orleans.Loki.Model;
using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Evaluation;

/// <summary>
/// One rule group's evaluation, as Prometheus' rules engine does it (<c>rules/group.go</c>, <c>alerting.go</c>,
/// <c>recording.go</c>), with no Orleans in it: every rule is run as an instant query at the evaluation time, alerting
/// rules move their alerts through pending → firing (after <c>for</c>) → resolved (kept 15 min and re-sent), firing
/// alerts stay firing for <c>keep_firing_for</c> after their condition cleared, and what is due is returned for sending.
/// </summary>
public sealed class RuleGroupEvaluator
{
    /// <summary>Prometheus keeps resolved alerts this long, re-sending them, so that Alertmanager learns of the resolution.</summary>
    public static readonly long ResolvedRetentionNs = (long)TimeSpan.FromMinutes(15).TotalNanoseconds;

    private readonly RulerOptions _options;
    private readonly RuleRuntime[] _rules;
    private long _restoreDownAtNs;

    public RuleGroupEvaluator(string tenant, RuleGroupDesc group, RulerOptions options)
    {
        Tenant = tenant;
        Group = group;
        _options = options;
        _rules = [.. group.Rules.Select(r => new RuleRuntime(r))];
    }

    public string Tenant { get; }
    public RuleGroupDesc Group { get; }

    /// <summary>The group's interval (its own, else <c>evaluation_interval</c>).</summary>
    public TimeSpan Interval => Group.Interval > TimeSpan.Zero ? Group.Interval : _options.EvaluationInterval;

    public IReadOnlyList<RuleRuntime> Rules => _rules;

    public long LastEvaluationNs { get; private set; }
    public double LastDurationSeconds { get; private set; }

    /// <summary>
    /// Takes over stored alerts (after a restart or a move). Firing alerts keep their state and start time; pending
    /// alerts get their <c>for</c> timer back at the next evaluation as Prometheus restores it (<c>RestoreForState</c>):
    /// within <c>for_outage_tolerance</c>, with <c>for_grace_period</c>.
    /// </summary>
    public void Restore(IReadOnlyList<List<ActiveAlert>> alerts, long lastEvaluationNs)
    {
        for (var i = 0; i < _rules.Length && i < alerts.Count; i++)
        {
            if (!_rules[i].Desc.IsAlert)
            {
                continue;
            }
            foreach (var a in alerts[i])
            {
                _rules[i].Active[ActiveAlert.KeyOf(a.Labels)] = a;
            }
        }
        _restoreDownAtNs = lastEvaluationNs;
        LastEvaluationNs = lastEvaluationNs;
    }

    /// <summary>The alerts to store, per rule (empty lists for recording rules).</summary>
    public List<List<ActiveAlert>> Snapshot() => [.. _rules.Select(r => r.Active.Values.ToList())];

    /// <summary>Evaluates every rule at <paramref name="tsNs"/>; rule failures are recorded on the rule (health, last error), never thrown.</summary>
    public async Task<GroupEvaluation> EvaluateAsync(long tsNs, IRuleQueryRunner runner, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var alerts = new List<AlertNotification>();
        var samples = new List<RecordedSample>();
        var failures = 0;
        var queryAt = tsNs - (long)Group.QueryOffset.TotalNanoseconds;
        foreach (var rule in _rules)
        {
            var ruleStarted = Stopwatch.GetTimestamp();
            try
            {
                var vector = await runner.InstantAsync(Tenant, rule.Desc.Expr, queryAt, ct).ConfigureAwait(false);
                if (rule.Desc.IsAlert)
                {
                    EvalAlert(rule, tsNs, vector);
                    CollectNotifications(rule, tsNs, alerts);
                }
                else
                {
                    EvalRecord(rule, tsNs, vector, samples);
                }
                rule.Health = "ok";
                rule.LastError = "";
            }
            catch (RuleEvaluationException e)
            {
                failures++;
                rule.Health = "err";
                rule.LastError = e.Message;
                if (rule.Desc.IsAlert)
                {
                    // Prometheus still sends what is due (resends, resolutions) when a rule fails.
                    CollectNotifications(rule, tsNs, alerts);
                }
            }
            rule.LastEvaluationNs = tsNs;
            rule.EvaluationSeconds = Stopwatch.GetElapsedTime(ruleStarted).TotalSeconds;
        }
        _restoreDownAtNs = 0;
        LastEvaluationNs = tsNs;
        LastDurationSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new GroupEvaluation(alerts, samples, failures);
    }

    private void EvalAlert(RuleRuntime rule, long tsNs, IReadOnlyList<RuleSample> vector)
    {
        var holdNs = (long)rule.Desc.For.TotalNanoseconds;
        if (_restoreDownAtNs > 0)
        {
            RestoreForState(rule, tsNs, holdNs);
        }
        var results = new Dictionary<string, ActiveAlert>(StringComparer.Ordinal);
        foreach (var sample in vector)
        {
            var metric = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in sample.Labels)
            {
                if (k != "__name__")
                {
                    metric[k] = v;
                }
            }
            var labels = new Dictionary<string, string>(metric, StringComparer.Ordinal);
            foreach (var (k, t) in rule.LabelTemplates)
            {
                labels[k] = t.Expand(metric, _options.ExternalLabels, _options.ExternalUrl, sample.Value);
            }
            labels["alertname"] = rule.Desc.Alert;
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, t) in rule.AnnotationTemplates)
            {
                annotations[k] = t.Expand(metric, _options.ExternalLabels, _options.ExternalUrl, sample.Value);
            }
            var key = ActiveAlert.KeyOf(labels);
            if (results.ContainsKey(key))
            {
                throw new RuleEvaluationException(LokiErrors.DuplicateAlertLabelset);
            }
            results[key] = new ActiveAlert { Labels = labels, Annotations = annotations, State = AlertState.Pending, Value = sample.Value, ActiveAtNs = tsNs };
        }
        foreach (var (key, a) in results)
        {
            if (rule.Active.TryGetValue(key, out var existing) && existing.State != AlertState.Inactive)
            {
                existing.Value = a.Value;
                existing.Annotations = a.Annotations;
                continue;
            }
            rule.Active[key] = a;
        }
        var active = 0;
        foreach (var (key, a) in rule.Active.ToList())
        {
            if (!results.ContainsKey(key))
            {
                var keepFiring = false;
                if (a.State == AlertState.Firing && rule.Desc.KeepFiringFor > TimeSpan.Zero)
                {
                    if (a.KeepFiringSinceNs == 0)
                    {
                        a.KeepFiringSinceNs = tsNs;
                    }
                    keepFiring = tsNs - a.KeepFiringSinceNs < (long)rule.Desc.KeepFiringFor.TotalNanoseconds;
                }
                if (a.State == AlertState.Pending || (a.ResolvedAtNs != 0 && tsNs - a.ResolvedAtNs > ResolvedRetentionNs))
                {
                    rule.Active.Remove(key);
                }
                if (a.State != AlertState.Inactive && !keepFiring)
                {
                    a.State = AlertState.Inactive;
                    a.ResolvedAtNs = tsNs;
                }
                if (!keepFiring)
                {
                    continue;
                }
            }
            else
            {
                a.KeepFiringSinceNs = 0;
            }
            active++;
            if (a.State == AlertState.Pending && tsNs - a.ActiveAtNs >= holdNs)
            {
                a.State = AlertState.Firing;
                a.FiredAtNs = tsNs;
            }
        }
        if (Group.Limit > 0 && active > Group.Limit)
        {
            rule.Active.Clear();
            throw new RuleEvaluationException(LokiErrors.AlertLimitExceeded(Group.Limit, active));
        }
    }

    /// <summary>Prometheus' <c>RestoreForState</c> for the pending alerts taken over from storage.</summary>
    private void RestoreForState(RuleRuntime rule, long tsNs, long holdNs)
    {
        var graceNs = (long)_options.ForGracePeriod.TotalNanoseconds;
        var outage = tsNs - _restoreDownAtNs > (long)_options.ForOutageTolerance.TotalNanoseconds;
        foreach (var (key, a) in rule.Active.ToList())
        {
            if (a.State != AlertState.Pending)
            {
                continue;
            }
            if (outage || holdNs < graceNs)
            {
                // Not restored: the alert starts pending again at this evaluation.
                rule.Active.Remove(key);
                continue;
            }
            var remaining = holdNs - (_restoreDownAtNs - a.ActiveAtNs);
            if (remaining <= 0)
            {
                continue;
            }
            a.ActiveAtNs = remaining < graceNs ? tsNs + graceNs - holdNs : a.ActiveAtNs + (tsNs - _restoreDownAtNs);
        }
    }

    private void CollectNotifications(RuleRuntime rule, long tsNs, List<AlertNotification> output)
    {
        var resendNs = (long)_options.ResendDelay.TotalNanoseconds;
        var intervalNs = (long)Interval.TotalNanoseconds;
        foreach (var a in rule.Active.Values)
        {
            if (!a.NeedsSending(tsNs, resendNs))
            {
                continue;
            }
            a.LastSentAtNs = tsNs;
            // Allow for two evaluation or send failures before Alertmanager resolves the alert by itself.
            a.ValidUntilNs = tsNs + (4 * Math.Max(resendNs, intervalNs));
            var labels = new Dictionary<string, string>(a.Labels, StringComparer.Ordinal);
            foreach (var (k, v) in _options.ExternalLabels)
            {
                labels.TryAdd(k, v);
            }
            output.Add(new AlertNotification(labels, new Dictionary<string, string>(a.Annotations, StringComparer.Ordinal),
                a.FiredAtNs, a.ResolvedAtNs != 0 ? a.ResolvedAtNs : a.ValidUntilNs, GeneratorUrl(rule.Desc.Expr)));
        }
    }

    private void EvalRecord(RuleRuntime rule, long tsNs, IReadOnlyList<RuleSample> vector, List<RecordedSample> output)
    {
        var series = new List<RecordedSample>(vector.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in vector)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in sample.Labels)
            {
                labels[k] = v;
            }
            foreach (var (k, v) in rule.Desc.Labels)
            {
                labels[k] = v;
            }
            labels["__name__"] = rule.Desc.Record;
            var sorted = labels.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
            if (!seen.Add(string.Join('\xff', sorted.Select(p => p.Key + "\xfe" + p.Value))))
            {
                throw new RuleEvaluationException(LokiErrors.DuplicateRuleLabelset);
            }
            series.Add(new RecordedSample(sorted, sample.Value, tsNs / 1_000_000));
        }
        if (Group.Limit > 0 && series.Count > Group.Limit)
        {
            throw new RuleEvaluationException(LokiErrors.SeriesLimitExceeded(Group.Limit, series.Count));
        }
        rule.LastSamples = series.Count;
        output.AddRange(series);
    }

    /// <summary>Loki's <c>generatorURL</c>: <c>external_url</c> + a Grafana Explore link of the expression.</summary>
    private string GeneratorUrl(string expr)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("expr", expr);
            w.WriteString("queryType", "range");
            if (_options.DatasourceUid.Length > 0)
            {
                w.WritePropertyName("datasource");
                w.WriteStartObject();
                w.WriteString("type", "loki");
                w.WriteString("uid", _options.DatasourceUid);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return _options.ExternalUrl + "/explore?left={\"queries\":[" + QueryEscape(Encoding.UTF8.GetString(buffer.ToArray())) + "]}";
    }

    /// <summary>Go's <c>url.QueryEscape</c>.</summary>
    internal static string QueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }
}

/// <summary>What an evaluation produced: alerts due for sending, recorded samples and the number of failed rules.</summary>
public sealed record GroupEvaluation(List<AlertNotification> Alerts, List<RecordedSample> Samples, int Failures);

/// <summary>An alert as Alertmanager's v2 API takes it; times in Unix nanoseconds (0 = unset).</summary>
public sealed record AlertNotification(Dictionary<string, string> Labels, Dictionary<string, string> Annotations, long StartsAtNs, long EndsAtNs, string GeneratorUrl);

/// <summary>One recorded series' sample: sorted labels with <c>__name__</c>, value, timestamp in milliseconds.</summary>
public sealed record RecordedSample(KeyValuePair<string, string>[] Labels, double Value, long TimestampMs);

/// <summary>One sample of an instant-query result.</summary>
public sealed record RuleSample(KeyValuePair<string, string>[] Labels, double Value);

/// <summary>A rule evaluation failure (the rule's <c>lastError</c>).</summary>
public sealed class RuleEvaluationException(string message) : Exception(message);

/// <summary>Runs a rule's expression as an instant query.</summary>
public interface IRuleQueryRunner
{
    /// <summary>The instant vector of <paramref name="expr"/> for <paramref name="tenant"/> at <paramref name="atNs"/> (a scalar is one sample without labels).</summary>
    /// <exception cref="RuleEvaluationException">The query failed or its result is not a vector or scalar.</exception>
    Task<IReadOnlyList<RuleSample>> InstantAsync(string tenant, string expr, long atNs, CancellationToken ct);
}

/// <summary>Per-rule runtime state: compiled templates, health, last error, alerts.</summary>
public sealed class RuleRuntime
{
    public RuleRuntime(RuleDesc desc)
    {
        Desc = desc;
        if (desc.IsAlert)
        {
            LabelTemplates = [.. desc.Labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, Compile(p.Value, desc.Alert)))];
            AnnotationTemplates = [.. desc.Annotations.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, Compile(p.Value, desc.Alert)))];
        }
    }

    public RuleDesc Desc { get; }
    public List<(string Key, AlertTemplate Template)> LabelTemplates { get; } = [];
    public List<(string Key, AlertTemplate Template)> AnnotationTemplates { get; } = [];
    public Dictionary<string, ActiveAlert> Active { get; } = new(StringComparer.Ordinal);
    public string Health { get; set; } = "unknown";
    public string LastError { get; set; } = "";
    public long LastEvaluationNs { get; set; }
    public double EvaluationSeconds { get; set; }
    public int LastSamples { get; set; }

    /// <summary>The rule's state for the API: firing if any alert fires, else pending if any is pending.</summary>
    public AlertState State => Active.Values.Any(a => a.State == AlertState.Firing) ? AlertState.Firing
        : Active.Values.Any(a => a.State == AlertState.Pending) ? AlertState.Pending : AlertState.Inactive;

    private static AlertTemplate Compile(string text, string alert) =>
        AlertTemplate.TryParse(text, "__alert_" + alert, out var t, out var error) ? t!
            : AlertTemplate.TryParse($"<error expanding template: {error}>", "__alert_" + alert, out var fallback, out _) ? fallback! : throw new UnreachableException("BUG: constant template");
}
