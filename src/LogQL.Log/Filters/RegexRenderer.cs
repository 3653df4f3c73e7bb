using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Renders a parsed Go regex as an equivalent .NET pattern.</summary>
internal static class RegexRenderer
{
    public static string Render(RegexNode node)
    {
        var sb = new StringBuilder();
        Append(sb, node);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, RegexNode node)
    {
        switch (node)
        {
            case RegexLiteral l:
                sb.Append(Regex.Escape(l.Text));
                break;
            case RegexSet s:
                sb.Append(s.DotNet);
                break;
            case RegexAssertion a:
                sb.Append(a.DotNet);
                break;
            case RegexFlags f:
                sb.Append(f.DotNet);
                break;
            case RegexConcat c:
                foreach (var item in c.Items)
                {
                    Append(sb, item);
                }
                break;
            case RegexAlternate alt:
                for (var i = 0; i < alt.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('|');
                    }
                    Append(sb, alt.Items[i]);
                }
                break;
            case RegexRepeat r:
                sb.Append("(?:");
                Append(sb, r.Item);
                sb.Append(')');
                sb.Append((r.Min, r.Max) switch
                {
                    (0, -1) => "*",
                    (1, -1) => "+",
                    (0, 1) => "?",
                    (var min, -1) => $"{{{min},}}",
                    var (min, max) when min == max => $"{{{min}}}",
                    var (min, max) => $"{{{min},{max}}}",
                });
                if (!r.Greedy)
                {
                    sb.Append('?');
                }
                break;
            case RegexGroup g:
                // .NET rejects group names with a leading digit, which Go allows; such groups stay unnamed
                if (g.Name is not null && !char.IsAsciiDigit(g.Name[0]))
                {
                    sb.Append("(?<").Append(g.Name).Append('>');
                }
                else if (g.Capturing)
                {
                    sb.Append('(');
                }
                else
                {
                    sb.Append("(?").Append(g.Flags).Append(':');
                }
                Append(sb, g.Item);
                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException("BUG: unknown regex node " + node.GetType().Name);
        }
    }
}
