namespace Orleans.Loki.Ruler.Rules;

/// <summary>One rule of a group: an alerting rule (<see cref="Alert"/>) or a recording rule (<see cref="Record"/>).</summary>
[GenerateSerializer, Immutable, Alias("Loki.RuleDesc")]
public sealed record RuleDesc
{
    [Id(0)] public string Alert { get; init; } = "";
    [Id(1)] public string Record { get; init; } = "";
    [Id(2)] public string Expr { get; init; } = "";
    /// <summary><c>for</c>: how long an alert stays pending before it fires.</summary>
    [Id(3)] public TimeSpan For { get; init; }
    /// <summary><c>keep_firing_for</c>: how long a firing alert keeps firing after its condition cleared.</summary>
    [Id(4)] public TimeSpan KeepFiringFor { get; init; }
    [Id(5)] public Dictionary<string, string> Labels { get; init; } = [];
    [Id(6)] public Dictionary<string, string> Annotations { get; init; } = [];

    public bool IsAlert => Alert.Length > 0;

    /// <summary>The alert or record name.</summary>
    public string Name => IsAlert ? Alert : Record;
}

/// <summary>A rule group of a namespace, as in a Prometheus rule file.</summary>
[GenerateSerializer, Immutable, Alias("Loki.RuleGroupDesc")]
public sealed record RuleGroupDesc
{
    [Id(0)] public string Namespace { get; init; } = "";
    [Id(1)] public string Name { get; init; } = "";
    /// <summary><c>interval</c>; zero: <c>ruler.evaluation_interval</c>.</summary>
    [Id(2)] public TimeSpan Interval { get; init; }
    /// <summary><c>limit</c>: most alerts / series per rule; 0 = unlimited.</summary>
    [Id(3)] public int Limit { get; init; }
    [Id(4)] public List<RuleDesc> Rules { get; init; } = [];
    /// <summary><c>query_offset</c>: rules are evaluated this long before the evaluation time.</summary>
    [Id(5)] public TimeSpan QueryOffset { get; init; }

    /// <summary>A fingerprint of the definition (YAML form), to notice edits.</summary>
    public string Fingerprint() => Convert.ToHexString(System.IO.Hashing.XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes(Namespace + "\n" + RuleYaml.FormatGroup(this))));
}
