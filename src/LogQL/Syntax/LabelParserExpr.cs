using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Parsers taking at most one string parameter.</summary>
public enum LabelParserKind
{
    /// <summary><c>| regexp "(?P&lt;name&gt;…)"</c></summary>
    Regexp,
    /// <summary><c>| pattern "&lt;ip&gt; - &lt;_&gt;"</c></summary>
    Pattern,
    /// <summary><c>| unpack</c></summary>
    Unpack,
}

/// <summary><c>| regexp "…"</c>, <c>| pattern "…"</c> or <c>| unpack</c>.</summary>
public sealed record LabelParserExpr(LabelParserKind Kind, string Param) : StageExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| ").Append(Kind switch
        {
            LabelParserKind.Regexp => "regexp",
            LabelParserKind.Pattern => "pattern",
            _ => "unpack",
        });
        if (Kind != LabelParserKind.Unpack)
        {
            sb.Append(' ');
            GoQuote.Append(sb, Param);
        }
    }
}
