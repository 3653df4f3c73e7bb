using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A label filter stage: <c>| level="error" and duration &gt; 1s</c>.</summary>
public sealed record LabelFilterExpr(LabelFilter Filter) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| ");
        Filter.WriteTo(sb);
    }
}
