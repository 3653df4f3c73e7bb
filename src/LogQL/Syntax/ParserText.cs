using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

internal static class ParserText
{
    public static void AppendExtractions(StringBuilder sb, ValueList<LabelExtraction> expressions)
    {
        for (var i = 0; i < expressions.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(expressions[i].Identifier).Append('=');
            GoQuote.Append(sb, expressions[i].Expression);
        }
    }

    public static void AppendNamedMatchers(StringBuilder sb, ValueList<NamedLabelMatcher> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            if (items[i].Matcher is { } m)
            {
                m.WriteTo(sb);
            }
            else
            {
                sb.Append(items[i].Name);
            }
        }
    }
}
