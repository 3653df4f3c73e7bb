using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>| json</c>, or with extractions <c>| json a="x.y",b="z[0]"</c>.</summary>
public sealed record JsonParserExpr(ValueList<LabelExtraction> Expressions) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| json");
        if (Expressions.Count > 0)
        {
            sb.Append(' ');
            ParserText.AppendExtractions(sb, Expressions);
        }
    }
}
