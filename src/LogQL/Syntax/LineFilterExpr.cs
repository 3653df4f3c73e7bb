using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Line filter operators.</summary>
public enum LineFilterType
{
    /// <summary><c>|=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>|~</c></summary>
    Regexp,
    /// <summary><c>!~</c></summary>
    NotRegexp,
    /// <summary><c>|&gt;</c></summary>
    Pattern,
    /// <summary><c>!&gt;</c></summary>
    NotPattern,
}

/// <summary>One operand of a line filter: a string, or <c>ip("cidr")</c>.</summary>
public sealed record LineFilterTerm(string Value, bool Ip);

/// <summary>
/// A line filter with its <c>or</c> alternatives: <c>|= "a" or "b"</c> keeps lines containing either.
/// Negative filters with <c>or</c> (<c>!= "a" or "b"</c>) mean "neither" and are parsed into one stage per term,
/// as Loki does, so <see cref="Terms"/> of a negative filter has one element.
/// </summary>
public sealed record LineFilterExpr(LineFilterType Type, ValueList<LineFilterTerm> Terms) : StageExpr
{
    /// <summary>The operator text.</summary>
    public static string OperatorText(LineFilterType type) => type switch
    {
        LineFilterType.Equal => "|=",
        LineFilterType.NotEqual => "!=",
        LineFilterType.Regexp => "|~",
        LineFilterType.NotRegexp => "!~",
        LineFilterType.Pattern => "|>",
        _ => "!>",
    };

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append(OperatorText(Type)).Append(' ');
        for (var i = 0; i < Terms.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }
            if (Terms[i].Ip)
            {
                sb.Append("ip(");
                GoQuote.Append(sb, Terms[i].Value);
                sb.Append(')');
            }
            else
            {
                GoQuote.Append(sb, Terms[i].Value);
            }
        }
    }
}
