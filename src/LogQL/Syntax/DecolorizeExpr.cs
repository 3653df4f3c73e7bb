using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| decolorize</c>: strips ANSI color sequences from the line.</summary>
public sealed record DecolorizeExpr : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => sb.Append("| decolorize");
}
