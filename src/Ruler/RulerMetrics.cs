using Prometheus;

namespace Orleans.Loki.Ruler;

/// <summary>
/// Prometheus' rule-manager metrics under Loki's names (<c>loki_prometheus_rule_*</c>), labelled <c>user</c> (tenant) and
/// <c>rule_group</c> (<c>&lt;namespace&gt;;&lt;group&gt;</c>). A group's series live on the silo that evaluates it and
/// leave with it.
/// </summary>
internal static class RulerMetrics
{
    private static readonly string[] s_groupLabels = ["user", "rule_group"];

    public static readonly Counter Evaluations = Metrics.CreateCounter("loki_prometheus_rule_evaluations_total", "The total number of rule evaluations.", s_groupLabels);
    public static readonly Counter Failures = Metrics.CreateCounter("loki_prometheus_rule_evaluation_failures_total", "The total number of rule evaluation failures.", s_groupLabels);
    public static readonly Counter Iterations = Metrics.CreateCounter("loki_prometheus_rule_group_iterations_total", "The total number of scheduled rule group evaluations, whether executed or missed.", s_groupLabels);
    public static readonly Counter Missed = Metrics.CreateCounter("loki_prometheus_rule_group_iterations_missed_total", "The total number of rule group evaluations missed due to slow rule group evaluation.", s_groupLabels);
    public static readonly Gauge LastEvaluation = Metrics.CreateGauge("loki_prometheus_rule_group_last_evaluation_timestamp_seconds", "The timestamp of the last rule group evaluation in seconds.", s_groupLabels);
    public static readonly Gauge LastDuration = Metrics.CreateGauge("loki_prometheus_rule_group_last_duration_seconds", "The duration of the last rule group evaluation.", s_groupLabels);
    public static readonly Gauge Interval = Metrics.CreateGauge("loki_prometheus_rule_group_interval_seconds", "The interval of a rule group.", s_groupLabels);
    public static readonly Gauge Rules = Metrics.CreateGauge("loki_prometheus_rule_group_rules", "The number of rules.", s_groupLabels);
    public static readonly Summary EvaluationDuration = Metrics.CreateSummary("loki_prometheus_rule_evaluation_duration_seconds", "The duration for a rule to execute.", ["user"],
        new SummaryConfiguration { Objectives = [new QuantileEpsilonPair(0.5, 0.05), new QuantileEpsilonPair(0.9, 0.01), new QuantileEpsilonPair(0.99, 0.001)] });
    public static readonly Summary GroupDuration = Metrics.CreateSummary("loki_prometheus_rule_group_duration_seconds", "The duration of rule group evaluations.", ["user"],
        new SummaryConfiguration { Objectives = [new QuantileEpsilonPair(0.01, 0.001), new QuantileEpsilonPair(0.05, 0.005), new QuantileEpsilonPair(0.5, 0.05), new QuantileEpsilonPair(0.9, 0.01), new QuantileEpsilonPair(0.99, 0.001)] });

    /// <summary>Evaluation lag: how long after its slot a group's evaluation started (ours).</summary>
    public static readonly Histogram Lag = Metrics.CreateHistogram("loki_ruler_evaluation_lag_seconds", "Seconds between a group's evaluation slot and the start of its evaluation.",
        new HistogramConfiguration { Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    public static void Remove(string user, string group)
    {
        foreach (var c in (Collector<Counter.Child>[])[Evaluations, Failures, Iterations, Missed])
        {
            c.RemoveLabelled(user, group);
        }
        foreach (var g in (Collector<Gauge.Child>[])[LastEvaluation, LastDuration, Interval, Rules])
        {
            g.RemoveLabelled(user, group);
        }
    }
}
