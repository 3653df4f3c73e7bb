using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>sum by (app) (…)</c>, <c>topk(5, …)</c>, <c>sort_desc(…)</c>.</summary>
public sealed record VectorAggregationExpr(VectorOp Operation, SampleExpr Left, Grouping Grouping, int Parameter) : SampleExpr
{
    /// <inheritdoc/>
    public override IEnumerable<Expr> Children => [Left];

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append(Operation.Name());
        if (!Grouping.Singleton)
        {
            Grouping.WriteTo(sb);
        }
        sb.Append('(');
        if (Operation is VectorOp.Topk or VectorOp.Bottomk or VectorOp.ApproxTopk || Parameter != 0)
        {
            sb.Append(Parameter.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',');
        }
        Left.WriteTo(sb);
        sb.Append(')');
    }
}
