using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Hand-written LogQL lexer following Loki's rules: Go string literals, <c>[range]</c> tokens,
/// durations and byte sizes glued to numbers, keywords in any case, function names only before '('.
/// Unknown characters become IDENTIFIER tokens (as in Loki), so the parser reports them.
/// </summary>
internal sealed class Lexer
{
    private readonly string _src;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string src) => _src = src;

    private char Peek(int ahead = 0) => _pos + ahead < _src.Length ? _src[_pos + ahead] : '\0';

    private bool AtEnd(int ahead = 0) => _pos + ahead >= _src.Length;

    private void Advance()
    {
        if (_src[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }
        _pos++;
    }

    public Token Next()
    {
        while (true)
        {
            while (!AtEnd() && Peek() is ' ' or '\t' or '\n' or '\r')
            {
                Advance();
            }
            if (!AtEnd() && Peek() == '#')
            {
                while (!AtEnd() && Peek() != '\n')
                {
                    Advance();
                }
                continue;
            }
            break;
        }
        var line = _line;
        var col = _pos - _lineStart + 1;
        if (AtEnd())
        {
            // Like Go's text/scanner, end of input is reported at the last character read.
            col--;
            if (col == 0)
            {
                line--;
                var prevStart = _lineStart >= 2 ? _src.LastIndexOf('\n', _lineStart - 2) + 1 : 0;
                col = line == 0 ? 0 : _lineStart - 1 - prevStart;
            }
            return new Token(TokenKind.Eof, "", 0, 0, line, col);
        }
        var c = Peek();
        Token Tok(TokenKind k, string text, long dur = 0, ulong bytes = 0) => new(k, text, dur, bytes, line, col);

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            var number = ScanNumber();
            if (TryGlue(number, IsDurationChar, s => GoDuration.TryParseLogQL(s, out _), out var durText))
            {
                GoDuration.TryParseLogQL(durText, out var ns);
                return Tok(TokenKind.Duration, durText, ns);
            }
            if (TryGlue(number, IsBytesChar, s => GoBytes.TryParse(s, out _), out var bytesText))
            {
                GoBytes.TryParse(bytesText, out var b);
                return Tok(TokenKind.Bytes, bytesText, 0, b);
            }
            return Tok(TokenKind.Number, number);
        }

        switch (c)
        {
            case '-':
                Advance();
                if (Peek() == '-' && TryScanFlag(out var flag))
                {
                    return Tok(TokenKind.ParserFlag, flag);
                }
                if (TryGlue("-", IsDurationChar, s => GoDuration.TryParseLogQL(s, out _), out var negDur))
                {
                    GoDuration.TryParseLogQL(negDur, out var negNs);
                    return Tok(TokenKind.Duration, negDur, negNs);
                }
                return Tok(TokenKind.Sub, "-");
            case '"':
                return Tok(TokenKind.String, ScanQuoted(line, col));
            case '`':
                return Tok(TokenKind.String, ScanRaw(line, col));
            case '[':
                {
                    Advance();
                    var start = _pos;
                    while (!AtEnd() && Peek() != ']')
                    {
                        Advance();
                    }
                    if (AtEnd())
                    {
                        throw new ParseException(LokiErrors.MissingClosingBracketInDuration, line, col);
                    }
                    var body = _src[start.._pos];
                    Advance();
                    if (!GoDuration.TryParsePrometheus(body, out var rangeNs, out var err))
                    {
                        throw new ParseException(err!, line, col);
                    }
                    return Tok(TokenKind.Range, body, rangeNs);
                }
        }

        if (char.IsLetter(c) || c == '_')
        {
            var start = _pos;
            while (!AtEnd() && (char.IsLetterOrDigit(Peek()) || Peek() == '_'))
            {
                Advance();
            }
            var text = _src[start.._pos];
            var lower = text.ToLowerInvariant();
            if (TokenNames.Functions.TryGetValue(lower, out var fn))
            {
                return IsFunctionAhead() ? Tok(fn.Kind, text) : Tok(TokenKind.Identifier, text);
            }
            if (TokenNames.Tokens.TryGetValue(lower, out var kw))
            {
                return Tok(kw, text);
            }
            return Tok(TokenKind.Identifier, text);
        }

        if (!AtEnd(1) && TokenNames.Tokens.TryGetValue(string.Concat(c, Peek(1)), out var two))
        {
            Advance();
            Advance();
            return Tok(two, string.Concat(c, _src[_pos - 1]));
        }
        Advance();
        if (char.IsHighSurrogate(c) && !AtEnd() && char.IsLowSurrogate(Peek()))
        {
            Advance();
            return Tok(TokenKind.Identifier, _src.Substring(_pos - 2, 2));
        }
        return TokenNames.Tokens.TryGetValue(c.ToString(), out var one) ? Tok(one, c.ToString()) : Tok(TokenKind.Identifier, c.ToString());
    }

    /// <summary>
    /// A number as Go's text/scanner reads it (Loki's lexer): decimal with fraction and exponent, or with a base
    /// prefix <c>0x</c> (with a hex fraction and <c>p</c> exponent), <c>0o</c>, <c>0b</c>; <c>_</c> between digits.
    /// Whether it is a float is decided when the literal is parsed (<see cref="ParseNumber"/>).
    /// </summary>
    private string ScanNumber()
    {
        var start = _pos;
        if (Peek() == '0' && (Peek(1) is 'x' or 'X' or 'o' or 'O' or 'b' or 'B'))
        {
            var hex = Peek(1) is 'x' or 'X';
            Advance();
            Advance();
            while (!AtEnd() && (char.IsAsciiHexDigit(Peek()) || Peek() == '_') && (hex || char.IsAsciiDigit(Peek()) || Peek() == '_'))
            {
                Advance();
            }
            if (hex && Peek() == '.')
            {
                Advance();
                while (!AtEnd() && (char.IsAsciiHexDigit(Peek()) || Peek() == '_'))
                {
                    Advance();
                }
            }
            if (hex && Peek() is 'p' or 'P' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
            {
                Advance();
                if (Peek() is '+' or '-')
                {
                    Advance();
                }
                while (!AtEnd() && char.IsAsciiDigit(Peek()))
                {
                    Advance();
                }
            }
            return _src[start.._pos];
        }
        while (!AtEnd() && (char.IsAsciiDigit(Peek()) || (Peek() == '_' && char.IsAsciiDigit(Peek(1)))))
        {
            Advance();
        }
        if (Peek() == '.')
        {
            Advance();
            while (!AtEnd() && char.IsAsciiDigit(Peek()))
            {
                Advance();
            }
        }
        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            Advance();
            if (Peek() is '+' or '-')
            {
                Advance();
            }
            while (!AtEnd() && char.IsAsciiDigit(Peek()))
            {
                Advance();
            }
        }
        return _src[start.._pos];
    }

    // Loki glues unit characters that directly follow a number (up to whitespace) and keeps them
    // only if the whole text parses as a duration (or byte size).
    private bool TryGlue(string prefix, Func<char, bool> allowed, Func<string, bool> parses, out string text)
    {
        var end = _pos;
        while (end < _src.Length && !char.IsWhiteSpace(_src[end]) && (char.IsDigit(_src[end]) || allowed(_src[end]) || _src[end] == '.'))
        {
            end++;
        }
        text = "";
        if (end == _pos)
        {
            return false;
        }
        var candidate = prefix + _src[_pos..end];
        if (!parses(candidate))
        {
            return false;
        }
        while (_pos < end)
        {
            Advance();
        }
        text = candidate;
        return true;
    }

    private static bool IsDurationChar(char c) => c is 'n' or 'u' or 'µ' or 'm' or 's' or 'h' or 'd' or 'w' or 'y';

    private static bool IsBytesChar(char c) => c is 'B' or 'i' or 'k' or 'K' or 'M' or 'G' or 'T' or 'P';

    private bool TryScanFlag(out string flag)
    {
        var end = _pos;
        while (end < _src.Length && (char.IsLetter(_src[end]) || _src[end] == '-'))
        {
            end++;
        }
        flag = "-" + _src[_pos..end];
        if (flag is not ("--strict" or "--keep-empty"))
        {
            return false;
        }
        while (_pos < end)
        {
            Advance();
        }
        return true;
    }

    private bool IsFunctionAhead()
    {
        var i = SkipSpace(_pos);
        if (i >= _src.Length)
        {
            return false;
        }
        if (_src[i] == '(')
        {
            return true;
        }
        foreach (var kw in (ReadOnlySpan<string>)["by", "without"])
        {
            if (i + kw.Length <= _src.Length && _src.AsSpan(i, kw.Length).Equals(kw, StringComparison.OrdinalIgnoreCase))
            {
                var j = SkipSpace(i + kw.Length);
                return j < _src.Length && _src[j] == '(';
            }
        }
        return false;
    }

    private int SkipSpace(int i)
    {
        while (i < _src.Length && char.IsWhiteSpace(_src[i]))
        {
            i++;
        }
        return i;
    }

    private string ScanQuoted(int line, int col)
    {
        Advance();
        var start = _pos;
        while (true)
        {
            if (AtEnd() || Peek() == '\n')
            {
                throw new ParseException(LokiErrors.LiteralNotTerminated, line, col);
            }
            var ch = Peek();
            if (ch == '"')
            {
                break;
            }
            Advance();
            if (ch == '\\' && !AtEnd() && Peek() != '\n')
            {
                Advance();
            }
        }
        var body = _src.AsSpan(start, _pos - start);
        Advance();
        if (!GoQuote.TryUnescape(body, '"', out var value, out var error))
        {
            throw new ParseException(error!, line, col);
        }
        return value;
    }

    private string ScanRaw(int line, int col)
    {
        Advance();
        var start = _pos;
        while (!AtEnd() && Peek() != '`')
        {
            Advance();
        }
        if (AtEnd())
        {
            throw new ParseException(LokiErrors.LiteralNotTerminated, line, col);
        }
        var body = _src[start.._pos];
        Advance();
        // Go drops carriage returns from raw string literals.
        return body.Contains('\r', StringComparison.Ordinal) ? body.Replace("\r", "", StringComparison.Ordinal) : body;
    }

    /// <summary>A number literal through Go's strconv.ParseFloat, failing as Loki does (<c>unable to parse literal as a float</c>).</summary>
    internal static double ParseNumber(string text)
    {
        if (!GoFloat.TryParse(text, out var value, out var error))
        {
            throw new ParseException(LokiErrors.LiteralNotFloat(error), 0, 0);
        }
        return value;
    }
}
