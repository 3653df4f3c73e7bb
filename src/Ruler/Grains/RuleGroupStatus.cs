using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Grains;

/// <summary>A group's evaluation state.</summary>
[GenerateSerializer, Immutable, Alias("Loki.RuleGroupStatus")]
public sealed record RuleGroupStatus(
    [property: Id(0)] RuleGroupDesc Group,
    [property: Id(1)] TimeSpan Interval,
    [property: Id(2)] long LastEvaluationNs,
    [property: Id(3)] double EvaluationSeconds,
    [property: Id(4)] List<RuleStatus> Rules);

/// <summary>One rule's evaluation state.</summary>
[GenerateSerializer, Immutable, Alias("Loki.RuleStatus")]
public sealed record RuleStatus(
    [property: Id(0)] string Health,
    [property: Id(1)] string LastError,
    [property: Id(2)] long LastEvaluationNs,
    [property: Id(3)] double EvaluationSeconds,
    [property: Id(4)] AlertState State,
    [property: Id(5)] List<ActiveAlert> Alerts);

/// <summary>What a group grain keeps in grain storage: the definition and, per rule, its alerts.</summary>
[GenerateSerializer, Alias("Loki.RuleGroupState")]
public sealed class RuleGroupState
{
    [Id(0)] public RuleGroupDesc? Group { get; set; }
    [Id(1)] public string Fingerprint { get; set; } = "";
    [Id(2)] public List<List<ActiveAlert>> Alerts { get; set; } = [];
    [Id(3)] public long LastEvaluationNs { get; set; }
}
