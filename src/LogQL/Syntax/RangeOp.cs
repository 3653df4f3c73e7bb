namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Range vector aggregations (<c>rate</c>, <c>count_over_time</c> …).</summary>
public enum RangeOp
{
    /// <summary><c>count_over_time</c></summary>
    CountOverTime,
    /// <summary><c>rate</c></summary>
    Rate,
    /// <summary><c>rate_counter</c></summary>
    RateCounter,
    /// <summary><c>bytes_over_time</c></summary>
    BytesOverTime,
    /// <summary><c>bytes_rate</c></summary>
    BytesRate,
    /// <summary><c>avg_over_time</c></summary>
    AvgOverTime,
    /// <summary><c>sum_over_time</c></summary>
    SumOverTime,
    /// <summary><c>min_over_time</c></summary>
    MinOverTime,
    /// <summary><c>max_over_time</c></summary>
    MaxOverTime,
    /// <summary><c>stdvar_over_time</c></summary>
    StdvarOverTime,
    /// <summary><c>stddev_over_time</c></summary>
    StddevOverTime,
    /// <summary><c>quantile_over_time</c></summary>
    QuantileOverTime,
    /// <summary><c>first_over_time</c></summary>
    FirstOverTime,
    /// <summary><c>last_over_time</c></summary>
    LastOverTime,
    /// <summary><c>absent_over_time</c></summary>
    AbsentOverTime,
}

/// <summary>Vector aggregations (<c>sum</c>, <c>topk</c> …).</summary>
public enum VectorOp
{
    /// <summary><c>sum</c></summary>
    Sum,
    /// <summary><c>avg</c></summary>
    Avg,
    /// <summary><c>min</c></summary>
    Min,
    /// <summary><c>max</c></summary>
    Max,
    /// <summary><c>stddev</c></summary>
    Stddev,
    /// <summary><c>stdvar</c></summary>
    Stdvar,
    /// <summary><c>count</c></summary>
    Count,
    /// <summary><c>topk</c></summary>
    Topk,
    /// <summary><c>bottomk</c></summary>
    Bottomk,
    /// <summary><c>sort</c></summary>
    Sort,
    /// <summary><c>sort_desc</c></summary>
    SortDesc,
    /// <summary><c>approx_topk</c>: Loki's count-min-sketch topk, instant queries only, no grouping; exact here.</summary>
    ApproxTopk,
}

/// <summary>Binary operators, arithmetic, comparison and set.</summary>
public enum BinaryOp
{
    /// <summary><c>or</c></summary>
    Or,
    /// <summary><c>and</c></summary>
    And,
    /// <summary><c>unless</c></summary>
    Unless,
    /// <summary><c>+</c></summary>
    Add,
    /// <summary><c>-</c></summary>
    Sub,
    /// <summary><c>*</c></summary>
    Mul,
    /// <summary><c>/</c></summary>
    Div,
    /// <summary><c>%</c></summary>
    Mod,
    /// <summary><c>^</c></summary>
    Pow,
    /// <summary><c>==</c></summary>
    Eq,
    /// <summary><c>!=</c></summary>
    Neq,
    /// <summary><c>&gt;</c></summary>
    Gt,
    /// <summary><c>&gt;=</c></summary>
    Gte,
    /// <summary><c>&lt;</c></summary>
    Lt,
    /// <summary><c>&lt;=</c></summary>
    Lte,
}

/// <summary>Names of operators as written in LogQL.</summary>
public static class OpNames
{
    /// <summary>The function name of a range aggregation.</summary>
    public static string Name(this RangeOp op) => op switch
    {
        RangeOp.CountOverTime => "count_over_time",
        RangeOp.Rate => "rate",
        RangeOp.RateCounter => "rate_counter",
        RangeOp.BytesOverTime => "bytes_over_time",
        RangeOp.BytesRate => "bytes_rate",
        RangeOp.AvgOverTime => "avg_over_time",
        RangeOp.SumOverTime => "sum_over_time",
        RangeOp.MinOverTime => "min_over_time",
        RangeOp.MaxOverTime => "max_over_time",
        RangeOp.StdvarOverTime => "stdvar_over_time",
        RangeOp.StddevOverTime => "stddev_over_time",
        RangeOp.QuantileOverTime => "quantile_over_time",
        RangeOp.FirstOverTime => "first_over_time",
        RangeOp.LastOverTime => "last_over_time",
        _ => "absent_over_time",
    };

    /// <summary>The function name of a vector aggregation.</summary>
    public static string Name(this VectorOp op) => op switch
    {
        VectorOp.Sum => "sum",
        VectorOp.Avg => "avg",
        VectorOp.Min => "min",
        VectorOp.Max => "max",
        VectorOp.Stddev => "stddev",
        VectorOp.Stdvar => "stdvar",
        VectorOp.Count => "count",
        VectorOp.Topk => "topk",
        VectorOp.Bottomk => "bottomk",
        VectorOp.Sort => "sort",
        VectorOp.ApproxTopk => "approx_topk",
        _ => "sort_desc",
    };

    /// <summary>The operator text of a binary operation.</summary>
    public static string Name(this BinaryOp op) => op switch
    {
        BinaryOp.Or => "or",
        BinaryOp.And => "and",
        BinaryOp.Unless => "unless",
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        BinaryOp.Pow => "^",
        BinaryOp.Eq => "==",
        BinaryOp.Neq => "!=",
        BinaryOp.Gt => ">",
        BinaryOp.Gte => ">=",
        BinaryOp.Lt => "<",
        _ => "<=",
    };

    /// <summary>True for <c>== != &gt; &gt;= &lt; &lt;=</c>.</summary>
    public static bool IsComparison(this BinaryOp op) => op is BinaryOp.Eq or BinaryOp.Neq or BinaryOp.Gt or BinaryOp.Gte or BinaryOp.Lt or BinaryOp.Lte;

    /// <summary>True for <c>and or unless</c>.</summary>
    public static bool IsSetOperator(this BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;
}
