using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A bare stream selector: <c>{app="foo", env=~"prod|dev"}</c>.</summary>
public sealed record MatchersExpr : LogSelectorExpr
{
    /// <summary>Creates a selector from its matchers.</summary>
    public MatchersExpr(ValueList<LabelMatcher> matchers) => Matchers = matchers;

    /// <inheritdoc/>
    public override ValueList<LabelMatcher> Matchers { get; }

    /// <inheritdoc/>
    public override ValueList<StageExpr> Stages => ValueList<StageExpr>.Empty;

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append('{');
        for (var i = 0; i < Matchers.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            Matchers[i].WriteTo(sb);
        }
        sb.Append('}');
    }
}
