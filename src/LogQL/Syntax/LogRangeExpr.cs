using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A log selector over a range: <c>{app="x"} | json | unwrap latency [5m] offset 1h</c>.</summary>
public sealed record LogRangeExpr(LogSelectorExpr Left, long RangeNs, long OffsetNs, UnwrapExpr? Unwrap) : Expr
{
    /// <inheritdoc/>
    public override IEnumerable<Expr> Children => [Left];

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        Left.WriteTo(sb);
        Unwrap?.WriteTo(sb);
        sb.Append('[').Append(GoDuration.FormatPrometheus(RangeNs)).Append(']');
        if (OffsetNs != 0)
        {
            sb.Append(" offset ").Append(GoDuration.Format(OffsetNs));
        }
    }
}
