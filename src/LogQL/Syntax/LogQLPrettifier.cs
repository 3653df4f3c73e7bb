using System.Globalization;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Multi-line formatting of queries for <c>/loki/api/v1/format_query</c>, following Loki's formatter: an expression whose
/// one-line form (<see cref="Expr.ToString"/>) fits in 100 UTF-8 bytes stays on one line; a longer one is split, its
/// children one level (two spaces) deeper. Pipelines put each stage on its own line (a run of consecutive line filters
/// stays on one line while it fits), function arguments go on their own lines, and a binary operation puts the operator
/// on its own line between its operands.
/// </summary>
/// <remarks>
/// Deliberate differences from Loki, so the output always parses back to the same query: a split binary operation
/// nested in another one keeps its parentheses, an empty <c>by ()</c> of a range aggregation is kept (it changes the
/// result), and <c>decolorize</c> is indented like every other stage.
/// </remarks>
public static class LogQLPrettifier
{
    private const int MaxBytesPerLine = 100;

    /// <summary>The formatted query.</summary>
    public static string Prettify(Expr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var sb = new StringBuilder();
        Write(sb, expr, 0);
        return sb.ToString();
    }

    private static bool NeedSplit(object e) => Encoding.UTF8.GetByteCount(e.ToString()!) > MaxBytesPerLine;

    private static StringBuilder Indent(StringBuilder sb, int level) => sb.Append(' ', 2 * level);

    private static void Write(StringBuilder sb, Expr e, int level)
    {
        if (e is LogRangeExpr range)
        {
            // As in Loki, a range always puts its unwrap on a new line and its duration after a space.
            WriteRange(sb, range, level);
            return;
        }
        if (!NeedSplit(e))
        {
            Indent(sb, level);
            e.WriteTo(sb);
            return;
        }
        switch (e)
        {
            case PipelineExpr p:
                WritePipeline(sb, p, level);
                break;
            case RangeAggregationExpr r:
                WriteRangeAggregation(sb, r, level);
                break;
            case VectorAggregationExpr v:
                WriteVectorAggregation(sb, v, level);
                break;
            case BinOpExpr b:
                WriteBinOp(sb, b, level);
                break;
            case LabelReplaceExpr l:
                WriteLabelReplace(sb, l, level);
                break;
            default:
                // Selectors, literals, vector(): nothing to split.
                Indent(sb, level);
                e.WriteTo(sb);
                break;
        }
    }

    private static void WritePipeline(StringBuilder sb, PipelineExpr p, int level)
    {
        Write(sb, p.Left, level);
        var stages = p.Stages;
        var i = 0;
        while (i < stages.Count)
        {
            sb.Append('\n');
            if (stages[i] is not LineFilterExpr)
            {
                Indent(sb, level + 1);
                stages[i++].WriteTo(sb);
                continue;
            }
            // Loki parses consecutive line filters as one chained stage: one line while the chain fits, else one per line.
            var end = i;
            var chain = new StringBuilder();
            while (end < stages.Count && stages[end] is LineFilterExpr)
            {
                if (end > i)
                {
                    chain.Append(' ');
                }
                stages[end++].WriteTo(chain);
            }
            if (!NeedSplit(chain))
            {
                Indent(sb, level + 1).Append(chain);
            }
            else
            {
                for (var j = i; j < end; j++)
                {
                    if (j > i)
                    {
                        sb.Append('\n');
                    }
                    stages[j].WriteTo(Indent(sb, level + 1));
                }
            }
            i = end;
        }
    }

    // The range and offset stay on the line of the selector (or of the last unwrap filter).
    private static void WriteRange(StringBuilder sb, LogRangeExpr r, int level)
    {
        Write(sb, r.Left, level);
        if (r.Unwrap is { } u)
        {
            sb.Append('\n');
            Indent(sb, level + 1).Append("| unwrap ");
            sb.Append(u.Conversion == UnwrapConversion.None ? u.Identifier : $"{UnwrapExpr.ConversionName(u.Conversion)}({u.Identifier})");
            foreach (var f in u.PostFilters)
            {
                sb.Append('\n');
                Indent(sb, level + 1).Append("| ");
                f.WriteTo(sb);
            }
        }
        sb.Append(" [").Append(GoDuration.FormatPrometheus(r.RangeNs)).Append(']');
        if (r.OffsetNs != 0)
        {
            sb.Append(" offset ").Append(GoDuration.FormatPrometheus(r.OffsetNs));
        }
    }

    private static void WriteRangeAggregation(StringBuilder sb, RangeAggregationExpr r, int level)
    {
        Indent(sb, level).Append(r.Operation.Name()).Append("(\n");
        if (r.Parameter is { } p)
        {
            Indent(sb, level + 1).Append(GoFloat.FormatV(p)).Append(",\n");
        }
        Write(sb, r.Left, level + 1);
        sb.Append('\n');
        Indent(sb, level).Append(')');
        if (r.Grouping is { } g)
        {
            WriteGrouping(sb, g, keepEmptyBy: true);
        }
    }

    private static void WriteVectorAggregation(StringBuilder sb, VectorAggregationExpr v, int level)
    {
        Indent(sb, level).Append(v.Operation.Name());
        WriteGrouping(sb, v.Grouping, keepEmptyBy: false);
        sb.Append("(\n");
        if (v.Operation is VectorOp.Topk or VectorOp.Bottomk or VectorOp.ApproxTopk || v.Parameter != 0)
        {
            Indent(sb, level + 1).Append(v.Parameter.ToString(CultureInfo.InvariantCulture)).Append(",\n");
        }
        Write(sb, v.Left, level + 1);
        sb.Append('\n');
        Indent(sb, level).Append(')');
    }

    private static void WriteGrouping(StringBuilder sb, Grouping g, bool keepEmptyBy)
    {
        if (g.Groups.Count == 0 && !g.Without && !keepEmptyBy)
        {
            return;
        }
        sb.Append(g.Without ? " without (" : " by (").Append(string.Join(", ", g.Groups)).Append(')');
    }

    private static void WriteBinOp(StringBuilder sb, BinOpExpr b, int level)
    {
        WriteOperand(sb, b.Left, level + 1);
        sb.Append('\n');
        Indent(sb, level).Append(b.Op.Name());
        if (b.Options.ReturnBool)
        {
            sb.Append(" bool");
        }
        var m = b.Options.Matching;
        if (m.On || m.MatchingLabels.Count > 0 || m.Card != VectorMatchCardinality.OneToOne)
        {
            sb.Append(m.On ? " on (" : " ignoring (").Append(string.Join(", ", m.MatchingLabels)).Append(')');
            if (m.Card != VectorMatchCardinality.OneToOne)
            {
                sb.Append(m.Card == VectorMatchCardinality.ManyToOne ? " group_left" : " group_right");
                if (m.Include.Count > 0)
                {
                    sb.Append(" (").Append(string.Join(", ", m.Include)).Append(')');
                }
            }
        }
        sb.Append('\n');
        WriteOperand(sb, b.Right, level + 1);
    }

    // A split binary operation loses the parentheses of its one-line form; keep them so precedence survives a re-parse.
    private static void WriteOperand(StringBuilder sb, SampleExpr operand, int level)
    {
        if (operand is BinOpExpr && NeedSplit(operand))
        {
            Indent(sb, level).Append("(\n");
            Write(sb, operand, level + 1);
            sb.Append('\n');
            Indent(sb, level).Append(')');
            return;
        }
        Write(sb, operand, level);
    }

    private static void WriteLabelReplace(StringBuilder sb, LabelReplaceExpr l, int level)
    {
        Indent(sb, level).Append("label_replace(\n");
        Write(sb, l.Left, level + 1);
        foreach (var s in (ReadOnlySpan<string>)[l.Dst, l.Replacement, l.Src, l.Regex])
        {
            sb.Append(",\n");
            GoQuote.Append(Indent(sb, level + 1), s);
        }
        sb.Append('\n');
        Indent(sb, level).Append(')');
    }
}
