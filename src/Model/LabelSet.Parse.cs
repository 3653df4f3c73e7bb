using System.Text;

namespace Orleans.Loki.Model;

public static partial class LabelSet
{
    /// <summary>
    /// Parses a label string such as <c>{a="b", c='d', e=`f`}</c>: names match <c>[a-zA-Z_][a-zA-Z0-9_]*</c>,
    /// values are Go string literals (double or single quoted with escapes, or raw in backticks), a trailing
    /// comma is allowed. Pairs are returned in input order (duplicates and empty values included: dropping
    /// and rejecting them is validation's job). On bad syntax returns false with a Prometheus-style
    /// <c>1:col: parse error: ...</c> message.
    /// </summary>
    public static bool TryParse(string text, out KeyValuePair<string, string>[] labels, out string? error)
    {
        labels = [];
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        if (!parser.Run(out var pairs, out error))
        {
            return false;
        }

        labels = pairs;
        return true;
    }

    /// <summary>
    /// True when <see cref="TryParse"/> of <see cref="Format"/>(<paramref name="labels"/>) gives back exactly these
    /// pairs: every name is an identifier and no value holds a surrogate (lone ones would be replaced).
    /// </summary>
    public static bool RoundTrips(ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        foreach (var (name, value) in labels)
        {
            if (name.Length == 0 || !Parser.IsNameStart(name[0]))
            {
                return false;
            }
            foreach (var c in name)
            {
                if (!Parser.IsNameChar(c))
                {
                    return false;
                }
            }
            foreach (var c in value)
            {
                if (char.IsSurrogate(c))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private ref struct Parser
    {
        private readonly string _text;
        private int _pos;

        public Parser(string text)
        {
            _text = text;
            _pos = 0;
        }

        public bool Run(out KeyValuePair<string, string>[] labels, out string? error)
        {
            labels = [];
            var pairs = new List<KeyValuePair<string, string>>();
            SkipSpace();
            if (_pos >= _text.Length)
            {
                error = Fail("unexpected end of input");
                return false;
            }

            if (_text[_pos] != '{')
            {
                error = Fail($"unexpected {Describe()}, expected \"{{\"");
                return false;
            }

            _pos++;
            while (true)
            {
                SkipSpace();
                if (_pos >= _text.Length)
                {
                    error = Fail("unexpected end of input inside braces");
                    return false;
                }

                if (_text[_pos] == '}')
                {
                    _pos++;
                    break;
                }

                if (!TryName(out var name))
                {
                    error = Fail($"unexpected {Describe()} in label set, expected identifier or \"}}\"");
                    return false;
                }

                SkipSpace();
                if (_pos >= _text.Length)
                {
                    error = Fail("unexpected end of input inside braces");
                    return false;
                }

                if (_text[_pos] != '=')
                {
                    error = Fail($"unexpected {Describe()} in label matching, expected \"=\"");
                    return false;
                }

                _pos++;
                SkipSpace();
                if (!TryValue(out var value, out error))
                {
                    return false;
                }

                pairs.Add(new KeyValuePair<string, string>(name, value));
                SkipSpace();
                if (_pos >= _text.Length)
                {
                    error = Fail("unexpected end of input inside braces");
                    return false;
                }

                if (_text[_pos] == ',')
                {
                    _pos++;
                    continue;
                }

                if (_text[_pos] == '}')
                {
                    _pos++;
                    break;
                }

                error = Fail($"unexpected {Describe()} in label set, expected \",\" or \"}}\"");
                return false;
            }

            SkipSpace();
            if (_pos < _text.Length)
            {
                error = Fail($"unexpected {Describe()}, expected end of input");
                return false;
            }

            labels = [.. pairs];
            error = null;
            return true;
        }

        private void SkipSpace()
        {
            while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
        }

        private bool TryName(out string name)
        {
            var start = _pos;
            if (_pos < _text.Length && IsNameStart(_text[_pos]))
            {
                _pos++;
                while (_pos < _text.Length && IsNameChar(_text[_pos]))
                {
                    _pos++;
                }
            }

            name = _text[start.._pos];
            return _pos > start;
        }

        internal static bool IsNameStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

        internal static bool IsNameChar(char c) => IsNameStart(c) || c is >= '0' and <= '9';

        private bool TryValue(out string value, out string? error)
        {
            value = string.Empty;
            if (_pos >= _text.Length)
            {
                error = Fail("unexpected end of input inside braces");
                return false;
            }

            var quote = _text[_pos];
            if (quote is not ('"' or '\'' or '`'))
            {
                error = Fail($"unexpected {Describe()} in label matching, expected string");
                return false;
            }

            var start = _pos;
            _pos++;
            if (quote == '`')
            {
                var end = _text.IndexOf('`', _pos);
                if (end < 0)
                {
                    _pos = start;
                    error = Fail("unterminated raw string");
                    return false;
                }

                value = _text[_pos..end];
                _pos = end + 1;
                error = null;
                return true;
            }

            // Fast path: no escapes.
            var scan = _pos;
            while (scan < _text.Length && _text[scan] != quote && _text[scan] != '\\' && _text[scan] != '\n')
            {
                scan++;
            }

            if (scan < _text.Length && _text[scan] == quote)
            {
                value = _text[_pos..scan];
                _pos = scan + 1;
                error = null;
                return true;
            }

            return TryEscapedValue(quote, start, out value, out error);
        }

        private bool TryEscapedValue(char quote, int start, out string value, out string? error)
        {
            value = string.Empty;

            // Escapes such as \xff can produce arbitrary bytes, so the value is assembled as UTF-8.
            var bytes = new List<byte>(_text.Length - _pos);
            Span<byte> utf8 = stackalloc byte[4];
            while (true)
            {
                if (_pos >= _text.Length || _text[_pos] == '\n')
                {
                    _pos = start;
                    error = Fail("unterminated quoted string");
                    return false;
                }

                var c = _text[_pos];
                if (c == quote)
                {
                    _pos++;
                    break;
                }

                if (c != '\\')
                {
                    if (char.IsHighSurrogate(c) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
                    {
                        var written = new Rune(c, _text[_pos + 1]).EncodeToUtf8(utf8);
                        AddRange(bytes, utf8[..written]);
                        _pos += 2;
                    }
                    else
                    {
                        var rune = Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
                        var written = rune.EncodeToUtf8(utf8);
                        AddRange(bytes, utf8[..written]);
                        _pos++;
                    }

                    continue;
                }

                _pos++;
                if (_pos >= _text.Length)
                {
                    _pos = start;
                    error = Fail("unterminated quoted string");
                    return false;
                }

                var escape = _text[_pos];
                _pos++;
                switch (escape)
                {
                    case 'a': bytes.Add(0x07); break;
                    case 'b': bytes.Add(0x08); break;
                    case 'f': bytes.Add(0x0C); break;
                    case 'n': bytes.Add(0x0A); break;
                    case 'r': bytes.Add(0x0D); break;
                    case 't': bytes.Add(0x09); break;
                    case 'v': bytes.Add(0x0B); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case '"' or '\'' when escape == quote: bytes.Add((byte)escape); break;
                    case 'x':
                        if (!TryHex(2, out var hexByte))
                        {
                            error = Fail("invalid escape sequence");
                            return false;
                        }

                        bytes.Add((byte)hexByte);
                        break;
                    case 'u' or 'U':
                        if (!TryHex(escape == 'u' ? 4 : 8, out var code) || !Rune.IsValid(code))
                        {
                            error = Fail("invalid escape sequence");
                            return false;
                        }

                        AddRange(bytes, utf8[..new Rune(code).EncodeToUtf8(utf8)]);
                        break;
                    case >= '0' and <= '7':
                        if (!TryOctal(escape, out var octal))
                        {
                            error = Fail("invalid escape sequence");
                            return false;
                        }

                        bytes.Add((byte)octal);
                        break;
                    default:
                        error = Fail("unknown escape sequence");
                        return false;
                }
            }

            value = Encoding.UTF8.GetString([.. bytes]);
            error = null;
            return true;
        }

        private static void AddRange(List<byte> bytes, ReadOnlySpan<byte> span)
        {
            foreach (var b in span)
            {
                bytes.Add(b);
            }
        }

        private bool TryHex(int digits, out int value)
        {
            value = 0;
            if (_pos + digits > _text.Length)
            {
                return false;
            }

            for (var i = 0; i < digits; i++)
            {
                var digit = HexValue(_text[_pos + i]);
                if (digit < 0)
                {
                    return false;
                }

                value = (value << 4) | digit;
            }

            _pos += digits;
            return value >= 0;
        }

        private bool TryOctal(char first, out int value)
        {
            value = first - '0';
            if (_pos + 2 > _text.Length)
            {
                return false;
            }

            for (var i = 0; i < 2; i++)
            {
                var c = _text[_pos + i];
                if (c is < '0' or > '7')
                {
                    return false;
                }

                value = (value << 3) | (c - '0');
            }

            _pos += 2;
            return value <= 255;
        }

        private static int HexValue(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };

        private readonly string Describe()
        {
            if (_pos >= _text.Length)
            {
                return "end of input";
            }

            var c = _text[_pos];
            return c switch
            {
                '"' or '\'' or '`' => "string",
                _ when IsNameStart(c) => "identifier",
                _ => GoQuote.Quote(c.ToString()),
            };
        }

        private readonly string Fail(string message) => $"1:{_pos + 1}: parse error: {message}";
    }
}
