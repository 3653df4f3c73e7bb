using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| line_format "{{.foo}}"</c>.</summary>
public sealed record LineFormatExpr(string Template) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| line_format ");
        GoText.AppendQuoted(sb, Template);
    }
}
