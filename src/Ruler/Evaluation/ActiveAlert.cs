namespace Orleans.Loki.Ruler.Evaluation;

/// <summary>Prometheus' alert states.</summary>
public enum AlertState
{
    Inactive = 0,
    Pending = 1,
    Firing = 2,
}

/// <summary>One alert of an alerting rule (Prometheus' <c>rules.Alert</c>); times in Unix nanoseconds, 0 = unset. Part of the group grain's state.</summary>
[GenerateSerializer, Alias("Loki.ActiveAlert")]
public sealed class ActiveAlert
{
    /// <summary>Result labels, rule labels (templated) and <c>alertname</c>.</summary>
    [Id(0)] public Dictionary<string, string> Labels { get; set; } = [];
    [Id(1)] public Dictionary<string, string> Annotations { get; set; } = [];
    [Id(2)] public AlertState State { get; set; }
    [Id(3)] public double Value { get; set; }
    [Id(4)] public long ActiveAtNs { get; set; }
    [Id(5)] public long FiredAtNs { get; set; }
    [Id(6)] public long ResolvedAtNs { get; set; }
    [Id(7)] public long LastSentAtNs { get; set; }
    [Id(8)] public long ValidUntilNs { get; set; }
    [Id(9)] public long KeepFiringSinceNs { get; set; }

    /// <summary>The identity of the alert: its labels, sorted.</summary>
    public static string KeyOf(Dictionary<string, string> labels) =>
        string.Join('\xff', labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "\xfe" + p.Value));

    /// <summary>Prometheus' <c>needsSending</c>: never pending; again once resolved since the last send; else after <paramref name="resendDelayNs"/>.</summary>
    public bool NeedsSending(long tsNs, long resendDelayNs) =>
        State != AlertState.Pending && (ResolvedAtNs > LastSentAtNs || LastSentAtNs + resendDelayNs < tsNs);
}
