using System.Globalization;
using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>vector(1)</c>: a single sample with no labels at every step.</summary>
public sealed record VectorExpr(double Value) : SampleExpr
{
    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb) => sb.Append("vector(").Append(Value.ToString("F6", CultureInfo.InvariantCulture)).Append(')');
}
