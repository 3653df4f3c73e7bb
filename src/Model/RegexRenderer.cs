using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.Model;

/// <summary>Renders a parsed Go regex as an equivalent .NET pattern.</summary>
public static class RegexRenderer
{
    /// <param name="node">The parsed pattern.</param>
    /// <param name="unnamed">
    /// Render named groups as plain capturing groups, so that .NET numbers every group by its opening parenthesis as
    /// Go does (.NET numbers named groups after all unnamed ones).
    /// </param>
    public static string Render(RegexNode node, bool unnamed = false)
    {
        var sb = new StringBuilder();
        Append(sb, node, unnamed);
        return sb.ToString();
    }

    /// <summary>Capture group names by Go group number (index 0, the whole match, and unnamed groups are null).</summary>
    public static string?[] GroupNames(RegexNode node)
    {
        var names = new List<string?> { null };
        Collect(node, names);
        return [.. names];
    }

    private static void Collect(RegexNode node, List<string?> names)
    {
        switch (node)
        {
            case RegexConcat c:
                foreach (var item in c.Items)
                {
                    Collect(item, names);
                }
                break;
            case RegexAlternate a:
                foreach (var item in a.Items)
                {
                    Collect(item, names);
                }
                break;
            case RegexRepeat r:
                Collect(r.Item, names);
                break;
            case RegexGroup g:
                if (g.Capturing)
                {
                    names.Add(g.Name);
                }
                Collect(g.Item, names);
                break;
        }
    }

    private static void Append(StringBuilder sb, RegexNode node, bool unnamed)
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
                    Append(sb, item, unnamed);
                }
                break;
            case RegexAlternate alt:
                for (var i = 0; i < alt.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('|');
                    }
                    Append(sb, alt.Items[i], unnamed);
                }
                break;
            case RegexRepeat r:
                sb.Append("(?:");
                Append(sb, r.Item, unnamed);
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
                if (g.Name is not null && !unnamed && !char.IsAsciiDigit(g.Name[0]))
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
                Append(sb, g.Item, unnamed);
                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException("BUG: unknown regex node " + node.GetType().Name);
        }
    }
}
