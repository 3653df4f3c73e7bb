using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>One <c>label_format</c> item: a rename (<c>dst=src</c>) or a template (<c>dst="{{.x}}"</c>).</summary>
public sealed record LabelFormat(string Name, string Value, bool Rename);

/// <summary><c>| label_format a=b,c="{{.d}}"</c>.</summary>
public sealed record LabelFormatExpr(ValueList<LabelFormat> Formats) : StageExpr
{
    /// <summary>The items in the form the LogQL.Log stage takes.</summary>
    internal Log.LabelFormat[] ToStageFormats() =>
        Formats.Select(f => f.Rename ? Log.LabelFormat.RenameFrom(f.Name, f.Value) : Log.LabelFormat.Template(f.Name, f.Value)).ToArray();

    /// <inheritdoc/>
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("| label_format ");
        for (var i = 0; i < Formats.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(Formats[i].Name).Append('=');
            if (Formats[i].Rename)
            {
                sb.Append(Formats[i].Value);
            }
            else
            {
                GoQuote.Append(sb, Formats[i].Value);
            }
        }
    }
}
