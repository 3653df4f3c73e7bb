using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>rate({app="x"}[5m])</c>, <c>quantile_over_time(0.99, {…} | unwrap d [1m]) by (x)</c>.</summary>
public sealed record RangeAggregationExpr(RangeOp Operation, LogRangeExpr Left, double? Parameter, Grouping? Grouping) : SampleExpr
{
    /// <inheritdoc/>
    public override IEnumerable<Expr> Children => [Left];

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append(Operation.Name()).Append('(');
        if (Parameter is { } p)
        {
            sb.Append(GoFloat.FormatF(p)).Append(',');
        }
        Left.WriteTo(sb);
        sb.Append(')');
        Grouping?.WriteTo(sb);
    }
}
