using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Cardinality of vector matching.</summary>
public enum VectorMatchCardinality
{
    /// <summary>one-to-one</summary>
    OneToOne,
    /// <summary>many-to-one (<c>group_left</c>)</summary>
    ManyToOne,
    /// <summary>one-to-many (<c>group_right</c>)</summary>
    OneToMany,
}

/// <summary>How the two sides of a binary operation are matched: <c>on/ignoring (labels) group_left/right (include)</c>.</summary>
public sealed record VectorMatching(VectorMatchCardinality Card, ValueList<string> MatchingLabels, bool On, ValueList<string> Include)
{
    /// <summary>Default: one-to-one on all labels.</summary>
    public static readonly VectorMatching Default = new(VectorMatchCardinality.OneToOne, ValueList<string>.Empty, false, ValueList<string>.Empty);
}

/// <summary>Binary operation modifiers.</summary>
public sealed record BinOpOptions(bool ReturnBool, VectorMatching Matching)
{
    /// <summary>No modifiers.</summary>
    public static readonly BinOpOptions Default = new(false, VectorMatching.Default);
}

/// <summary><c>a + b</c>, <c>a &gt; bool 1</c>, <c>a / on (x) group_left (y) b</c>. Printed fully parenthesised, as Loki does.</summary>
public sealed record BinOpExpr(BinaryOp Op, SampleExpr Left, SampleExpr Right, BinOpOptions Options) : SampleExpr
{
    /// <inheritdoc/>
    public override IEnumerable<Expr> Children => [Left, Right];

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append('(');
        Left.WriteTo(sb);
        sb.Append(' ').Append(Op.Name());
        if (Options.ReturnBool)
        {
            sb.Append(" bool");
        }
        var m = Options.Matching;
        // Loki drops "ignoring ()" when printing; keep it when a group modifier needs it to stay re-parsable.
        if (m.On || m.MatchingLabels.Count > 0 || m.Card != VectorMatchCardinality.OneToOne)
        {
            sb.Append(m.On ? " on (" : " ignoring (").Append(string.Join(",", m.MatchingLabels)).Append(')');
            if (m.Card != VectorMatchCardinality.OneToOne)
            {
                sb.Append(m.Card == VectorMatchCardinality.ManyToOne ? " group_left" : " group_right");
                if (m.Include.Count > 0)
                {
                    sb.Append(" (").Append(string.Join(",", m.Include)).Append(')');
                }
            }
        }
        sb.Append(' ');
        Right.WriteTo(sb);
        sb.Append(')');
    }
}
