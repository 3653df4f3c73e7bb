using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A selector followed by pipeline stages: <c>{app="foo"} |= "err" | json | level="error"</c>.</summary>
public sealed record PipelineExpr : LogSelectorExpr
{
    /// <summary>Creates a pipeline over <paramref name="left"/>.</summary>
    public PipelineExpr(MatchersExpr left, ValueList<StageExpr> stages)
    {
        Left = left;
        Stages = stages;
    }

    /// <summary>The stream selector.</summary>
    public MatchersExpr Left { get; }

    /// <inheritdoc/>
    public override ValueList<LabelMatcher> Matchers => Left.Matchers;

    /// <inheritdoc/>
    public override ValueList<StageExpr> Stages { get; }

    /// <inheritdoc/>
    public override IEnumerable<Expr> Children => [Left, .. Stages];

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        Left.WriteTo(sb);
        foreach (var stage in Stages)
        {
            sb.Append(' ');
            stage.WriteTo(sb);
        }
    }
}
