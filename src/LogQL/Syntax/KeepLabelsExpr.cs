using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| keep a,b="c"</c>.</summary>
public sealed record KeepLabelsExpr(ValueList<NamedLabelMatcher> Labels) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| keep ");
        ParserText.AppendNamedMatchers(sb, Labels);
    }
}
