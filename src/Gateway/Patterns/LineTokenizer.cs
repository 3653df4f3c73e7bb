namespace Orleans.Loki.Gateway.Patterns;

/// <summary>
/// Splits a log line into words and delimiters: whitespace separates words; each of <c>= , ; : ( ) [ ] { } " '</c> is
/// a token of its own, so that in <c>level=info</c> or <c>{"a":1}</c> only the values can become placeholders. Words
/// beyond <see cref="MaxTokens"/> are folded into the last token (one long tail, usually a variable).
/// </summary>
internal static class LineTokenizer
{
    /// <summary>Longest token sequence clustered; longer lines keep their tail as one token.</summary>
    public const int MaxTokens = 128;

    public static List<PatternToken> Tokenize(string line)
    {
        var tokens = new List<PatternToken>();
        var i = 0;
        var space = false;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                space = true;
                i++;
                continue;
            }
            if (tokens.Count == MaxTokens - 1)
            {
                tokens.Add(new PatternToken(line[i..].TrimEnd(), space, false));
                break;
            }
            if (IsDelimiter(c))
            {
                tokens.Add(new PatternToken(c.ToString(), space, true));
                i++;
            }
            else
            {
                var start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i]) && !IsDelimiter(line[i]))
                {
                    i++;
                }
                tokens.Add(new PatternToken(line[start..i], space, false));
            }
            space = false;
        }
        return tokens;
    }

    public static bool IsDelimiter(char c) => c is '=' or ',' or ';' or ':' or '(' or ')' or '[' or ']' or '{' or '}' or '"' or '\'';
}
