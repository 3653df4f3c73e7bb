using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>label_replace(expr, "dst", "$1", "src", "(.*)")</c> (regex fully anchored).</summary>
public sealed record LabelReplaceExpr(SampleExpr Left, string Dst, string Replacement, string Src, string Regex) : SampleExpr
{
    /// <inheritdoc/>
    public override IEnumerable<Expr> Children => [Left];

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("label_replace(");
        Left.WriteTo(sb);
        foreach (var s in (ReadOnlySpan<string>)[Dst, Replacement, Src, Regex])
        {
            sb.Append(',');
            GoQuote.Append(sb, s);
        }
        sb.Append(')');
    }
}
