using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| line_format "{{.foo}}"</c>.</summary>
public sealed record LineFormatExpr(string Template) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| line_format ");
        GoQuote.Append(sb, Template);
    }
}
