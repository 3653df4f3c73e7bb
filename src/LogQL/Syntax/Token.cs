namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A lexed token: kind, text (identifier/number text or unquoted string), parsed values and position.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, long DurationNs, ulong Bytes, int Line, int Column)
{
    /// <summary>The token's name as Loki's parser reports it in "unexpected X" messages.</summary>
    public string DisplayName => Kind switch
    {
        TokenKind.Eof => "$end",
        TokenKind.Identifier => "IDENTIFIER",
        TokenKind.String => "STRING",
        TokenKind.Number => "NUMBER",
        TokenKind.Duration => "DURATION",
        TokenKind.Range => "RANGE",
        TokenKind.Bytes => "BYTES",
        TokenKind.ParserFlag => "PARSER_FLAG",
        _ => TokenNames.Name(Kind),
    };
}
