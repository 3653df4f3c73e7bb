using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Comparison operators of numeric, duration and byte label filters.</summary>
public enum LabelFilterOp
{
    /// <summary><c>==</c> (also written <c>=</c>)</summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>&gt;</c></summary>
    GreaterThan,
    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,
    /// <summary><c>&lt;</c></summary>
    LesserThan,
    /// <summary><c>&lt;=</c></summary>
    LesserThanOrEqual,
}

/// <summary>A label filter tree (the argument of a label filter stage or an unwrap post-filter).</summary>
public abstract record LabelFilter
{
    /// <summary>Appends the canonical text.</summary>
    public abstract void WriteTo(StringBuilder sb);

    /// <summary>The canonical text.</summary>
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }

    /// <summary>The operator text.</summary>
    public static string OperatorText(LabelFilterOp op) => op switch
    {
        LabelFilterOp.Equal => "==",
        LabelFilterOp.NotEqual => "!=",
        LabelFilterOp.GreaterThan => ">",
        LabelFilterOp.GreaterThanOrEqual => ">=",
        LabelFilterOp.LesserThan => "<",
        _ => "<=",
    };
}

/// <summary><c>name="v"</c>, <c>name=~"re"</c> … on a label's string value.</summary>
public sealed record StringLabelFilter(LabelMatcher Matcher) : LabelFilter
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => Matcher.WriteTo(sb);
}

/// <summary><c>status &gt;= 400</c>: compares the label parsed as a float.</summary>
public sealed record NumericLabelFilter(string Name, LabelFilterOp Op, double Value) : LabelFilter
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => sb.Append(Name).Append(OperatorText(Op)).Append(GoFloat.FormatF(Value));
}

/// <summary><c>latency &gt; 250ms</c>: compares the label parsed as a duration (nanoseconds).</summary>
public sealed record DurationLabelFilter(string Name, LabelFilterOp Op, long ValueNs) : LabelFilter
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => sb.Append(Name).Append(OperatorText(Op)).Append(GoDuration.Format(ValueNs));
}

/// <summary><c>size &gt; 1KB</c>: compares the label parsed as a byte size.</summary>
public sealed record BytesLabelFilter(string Name, LabelFilterOp Op, ulong Value) : LabelFilter
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => sb.Append(Name).Append(OperatorText(Op)).Append(GoBytes.Format(Value));
}

/// <summary><c>addr=ip("10.0.0.0/8")</c> / <c>addr!=ip("…")</c>.</summary>
public sealed record IpLabelFilter(string Name, bool Negate, string Pattern) : LabelFilter
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append(Name).Append(Negate ? "!=" : "=").Append("ip(");
        GoQuote.Append(sb, Pattern);
        sb.Append(')');
    }
}

/// <summary><c>a and b</c> (also <c>a, b</c> and <c>a b</c>) or <c>a or b</c>; printed parenthesised as Loki does.</summary>
public sealed record BinaryLabelFilter(LabelFilter Left, LabelFilter Right, bool And) : LabelFilter
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("( ");
        Left.WriteTo(sb);
        sb.Append(And ? " , " : " or ");
        Right.WriteTo(sb);
        sb.Append(" )");
    }
}
