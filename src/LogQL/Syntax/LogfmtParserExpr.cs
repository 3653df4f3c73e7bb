using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| logfmt [--strict] [--keep-empty] [a="b",c]</c>.</summary>
public sealed record LogfmtParserExpr(bool Strict, bool KeepEmpty, ValueList<LabelExtraction> Expressions) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| logfmt");
        if (Strict)
        {
            sb.Append(" --strict");
        }
        if (KeepEmpty)
        {
            sb.Append(" --keep-empty");
        }
        if (Expressions.Count > 0)
        {
            sb.Append(' ');
            ParserText.AppendExtractions(sb, Expressions);
        }
    }
}
