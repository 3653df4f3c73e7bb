namespace Orleans.Loki.LogQL.Syntax;

/// <summary>One pipeline stage (line filter, parser, label filter, formatter, drop/keep, decolorize).</summary>
public abstract record StageExpr : Expr;
