using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A number: a scalar result, or one side of a binary operation.</summary>
public sealed record LiteralExpr(double Value) : SampleExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => sb.Append(GoFloat.FormatV(Value));
}
