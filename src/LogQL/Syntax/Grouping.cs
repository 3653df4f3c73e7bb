using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary><c>by (a,b)</c> or <c>without (a,b)</c>. Empty <c>by ()</c> collapses to a single series.</summary>
public sealed record Grouping(ValueList<string> Groups, bool Without)
{
    /// <summary>No grouping: aggregate everything into one series.</summary>
    public static readonly Grouping None = new(ValueList<string>.Empty, false);

    /// <summary>True when the grouping reduces to a single series with no labels.</summary>
    public bool Singleton => Groups.Count == 0 && !Without;

    /// <summary>Appends <c> by (a,b)</c> with a leading space, as Loki prints it.</summary>
    public void WriteTo(StringBuilder sb) => sb.Append(Without ? " without (" : " by (").Append(string.Join(",", Groups)).Append(')');

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}
