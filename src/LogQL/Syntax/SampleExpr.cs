namespace Orleans.Loki.LogQL.Syntax;

/// <summary>An expression producing samples (a metric query).</summary>
public abstract record SampleExpr : Expr;
