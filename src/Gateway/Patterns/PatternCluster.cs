using System.Text;

namespace Orleans.Loki.Gateway.Patterns;

/// <summary>A Drain cluster: the template tokens (differing words replaced by placeholders) and its lines' timestamps.</summary>
internal sealed class PatternCluster(PatternToken[] tokens)
{
    public PatternToken[] Tokens { get; } = tokens;

    public List<long> Timestamps { get; } = [];

    /// <summary>Turns every word that differs from <paramref name="line"/> into a placeholder.</summary>
    public void Merge(List<PatternToken> line)
    {
        for (var i = 0; i < Tokens.Length; i++)
        {
            if (!Tokens[i].IsDelimiter && !Tokens[i].IsPlaceholder && Tokens[i].Text != line[i].Text)
            {
                Tokens[i] = Tokens[i].AsPlaceholder();
            }
        }
    }

    /// <summary>
    /// The template as text. Placeholders separated only by delimiters with no space around them (<c>&lt;_&gt;:&lt;_&gt;</c>)
    /// collapse into one, so the result stays a valid LogQL pattern (which forbids adjacent captures).
    /// </summary>
    public string Pattern()
    {
        var kept = new List<PatternToken>(Tokens.Length);
        foreach (var token in Tokens)
        {
            if (token.IsPlaceholder && !token.SpaceBefore)
            {
                var j = kept.Count - 1;
                while (j >= 0 && kept[j].IsDelimiter && !kept[j].SpaceBefore)
                {
                    j--;
                }
                if (j >= 0 && kept[j].IsPlaceholder)
                {
                    kept.RemoveRange(j + 1, kept.Count - j - 1);
                    continue;
                }
            }
            kept.Add(token);
        }
        var sb = new StringBuilder();
        foreach (var token in kept)
        {
            if (token.SpaceBefore && sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(token.Text);
        }
        return sb.ToString();
    }
}
