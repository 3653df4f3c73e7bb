using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Root of the LogQL AST. Nodes are immutable records with structural equality; <see cref="ToString"/> prints the
/// canonical, re-parsable form (Loki's <c>String()</c> formatting, which <c>/loki/api/v1/format_query</c> returns).
/// </summary>
public abstract record Expr
{
    /// <summary>The canonical query text of this node.</summary>
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }

    /// <summary>Appends the canonical text of this node.</summary>
    public abstract void WriteTo(StringBuilder sb);

    /// <summary>Direct child expressions, in source order.</summary>
    public virtual IEnumerable<Expr> Children => [];

    /// <summary>Visits this node, then its descendants depth-first in source order.</summary>
    public void Walk(Action<Expr> visit)
    {
        visit(this);
        foreach (var child in Children)
        {
            child.Walk(visit);
        }
    }

    /// <summary>True for queries returning log lines (streams).</summary>
    public bool IsLogQuery => this is LogSelectorExpr;

    /// <summary>True for queries returning samples (matrix, vector or scalar).</summary>
    public bool IsMetricQuery => this is SampleExpr;
}
