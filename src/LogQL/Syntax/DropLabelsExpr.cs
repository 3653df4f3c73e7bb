using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| drop a,b="c"</c>.</summary>
public sealed record DropLabelsExpr(ValueList<NamedLabelMatcher> Labels) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| drop ");
        ParserText.AppendNamedMatchers(sb, Labels);
    }
}
