using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.Model;

/// <summary>Parses Go RE2 syntax (as Loki accepts it) into a <see cref="RegexNode"/> tree.</summary>
/// <remarks>
/// Go differences handled: ASCII-only <c>\d \w \s</c>, POSIX classes, <c>\Q..\E</c>, <c>(?P&lt;name&gt;)</c>,
/// <c>$</c> meaning end of text without <c>(?m)</c>, the <c>U</c> flag. Lookarounds and backreferences are
/// rejected as Go rejects them.
/// </remarks>
public sealed partial class GoRegexParser
{
    private const int MaxRepeat = 1000;
    private readonly string _src;
    private int _pos;
    private bool _ic;
    private bool _multiLine;
    private bool _ungreedy;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    private GoRegexParser(string src) => _src = src;

    public int CaptureCount { get; private set; }

    /// <summary>Capture group names in order of appearance.</summary>
    public List<string> GroupNames { get; } = [];

    public static bool TryParse(string pattern, out RegexNode? node, out string? error) =>
        TryParse(pattern, out node, out _, out error);

    public static bool TryParse(string pattern, out RegexNode? node, out GoRegexParser parser, out string? error)
    {
        parser = new GoRegexParser(pattern);
        try
        {
            node = parser.ParseAlternate();
            if (parser._pos < pattern.Length)
            {
                // only a stray ')' stops the top level early
                throw new RegexSyntaxException("unexpected )", pattern);
            }
            error = null;
            return true;
        }
        catch (RegexSyntaxException e)
        {
            node = null;
            error = $"error parsing regexp: {e.Code}: `{e.Fragment}`";
            return false;
        }
    }

    private sealed class RegexSyntaxException(string code, string fragment) : Exception(code)
    {
        public string Code { get; } = code;
        public string Fragment { get; } = fragment;
    }

    private bool Eof => _pos >= _src.Length;

    private char Peek => _src[_pos];

    private RegexNode ParseAlternate()
    {
        var items = new List<RegexNode> { ParseConcat() };
        while (!Eof && Peek == '|')
        {
            _pos++;
            items.Add(ParseConcat());
        }
        return items.Count == 1 ? items[0] : new RegexAlternate(items);
    }

    private RegexNode ParseConcat()
    {
        var items = new List<RegexNode>();
        while (!Eof && Peek != '|' && Peek != ')')
        {
            var start = _pos;
            var atom = ParseAtom(items);
            if (atom is null)
            {
                continue;
            }
            atom = ParseRepeats(atom, start);
            items.Add(atom);
        }
        return items.Count == 1 ? items[0] : new RegexConcat(items);
    }

    private RegexNode ParseRepeats(RegexNode atom, int start)
    {
        var repeated = false;
        var firstOp = -1;
        while (!Eof)
        {
            int min, max;
            var opStart = _pos;
            var c = Peek;
            if (c == '*')
            {
                (min, max) = (0, -1);
                _pos++;
            }
            else if (c == '+')
            {
                (min, max) = (1, -1);
                _pos++;
            }
            else if (c == '?')
            {
                (min, max) = (0, 1);
                _pos++;
            }
            else if (c == '{' && TryParseBraces(out min, out max))
            {
                if (min > MaxRepeat || max > MaxRepeat || (max >= 0 && max < min))
                {
                    throw new RegexSyntaxException("invalid repeat count", _src[opStart.._pos]);
                }
            }
            else
            {
                break;
            }
            if (repeated)
            {
                throw new RegexSyntaxException("invalid nested repetition operator", _src[firstOp.._pos]);
            }
            firstOp = opStart;
            if (atom is RegexAssertion or RegexFlags)
            {
                throw new RegexSyntaxException("missing argument to repetition operator", _src[opStart.._pos]);
            }
            _ = start;
            var greedy = true;
            if (!Eof && Peek == '?')
            {
                greedy = false;
                _pos++;
            }
            if (_ungreedy)
            {
                greedy = !greedy;
            }
            atom = new RegexRepeat(atom, min, max, greedy);
            repeated = true;
        }
        return atom;
    }

    private bool TryParseBraces(out int min, out int max)
    {
        min = max = 0;
        var m = BracesRegex().Match(_src, _pos);
        if (!m.Success || m.Index != _pos)
        {
            return false;
        }
        min = ParseCount(m.Groups[1].Value);
        max = m.Groups[2].Success ? (m.Groups[3].Value.Length == 0 ? -1 : ParseCount(m.Groups[3].Value)) : min;
        _pos += m.Length;
        return true;

        static int ParseCount(string s) => s.Length > 5 ? int.MaxValue : int.Parse(s, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\{([0-9]+)(,([0-9]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex BracesRegex();

    private RegexNode? ParseAtom(List<RegexNode> siblings)
    {
        var c = Peek;
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return ParseClass();
            case '.':
                _pos++;
                return new RegexSet(".");
            case '^':
                _pos++;
                return new RegexAssertion(_multiLine ? "(?m:^)" : @"\A");
            case '$':
                _pos++;
                return new RegexAssertion(_multiLine ? "(?m:$)" : @"\z");
            case '*' or '+' or '?':
                throw new RegexSyntaxException("missing argument to repetition operator", c.ToString());
            case '\\':
                return ParseEscape(siblings);
            default:
                return ReadLiteralChar();
        }
    }

    private RegexLiteral ReadLiteralChar()
    {
        var c = _src[_pos];
        if (char.IsHighSurrogate(c) && _pos + 1 < _src.Length && char.IsLowSurrogate(_src[_pos + 1]))
        {
            _pos += 2;
            return Lit(_src.Substring(_pos - 2, 2));
        }
        _pos++;
        return Lit(c.ToString());
    }

    private RegexLiteral Lit(string text) =>
        new(text, _ic && text.Length == 1 && char.ToLowerInvariant(text[0]) != char.ToUpperInvariant(text[0]));

    private RegexNode ParseGroup()
    {
        var start = _pos;
        _pos++; // (
        bool capturing = true;
        string? name = null;
        string? scopedFlags = null;
        var savedIc = _ic;
        var savedMl = _multiLine;
        var savedU = _ungreedy;
        if (!Eof && Peek == '?')
        {
            var rest = _src.AsSpan(_pos);
            if (rest.StartsWith("?P<") || rest.StartsWith("?<"))
            {
                if (rest.StartsWith("?<=") || rest.StartsWith("?<!"))
                {
                    throw new RegexSyntaxException("invalid or unsupported Perl syntax", _src.Substring(start, Math.Min(4, _src.Length - start)));
                }
                var nameStart = _pos + (rest[1] == 'P' ? 3 : 2);
                var end = _src.IndexOf('>', nameStart);
                if (end < 0)
                {
                    throw new RegexSyntaxException("invalid named capture", _src[start..]);
                }
                name = _src[nameStart..end];
                if (name.Length == 0 || !IsWordName(name))
                {
                    throw new RegexSyntaxException("invalid named capture", _src[start..(end + 1)]);
                }
                GroupNames.Add(name);
                if (!_names.Add(name))
                {
                    throw new RegexSyntaxException("duplicate capture group name", _src[start..(end + 1)]);
                }
                _pos = end + 1;
            }
            else
            {
                // flags: (?flags) or (?flags:re)
                _pos++;
                var negate = false;
                var sawFlag = false;
                var ic = _ic;
                var ml = _multiLine;
                var un = _ungreedy;
                var rendered = new StringBuilder();
                var renderedNeg = new StringBuilder();
                while (true)
                {
                    if (Eof)
                    {
                        throw new RegexSyntaxException("missing closing )", _src[start..]);
                    }
                    var f = Peek;
                    _pos++;
                    switch (f)
                    {
                        case 'i' or 'm' or 's' or 'U':
                            sawFlag = true;
                            if (f == 'i')
                            {
                                ic = !negate;
                            }
                            else if (f == 'm')
                            {
                                ml = !negate;
                            }
                            else if (f == 'U')
                            {
                                un = !negate;
                            }
                            if (f != 'U')
                            {
                                (negate ? renderedNeg : rendered).Append(f);
                            }
                            continue;
                        case '-':
                            if (negate)
                            {
                                throw new RegexSyntaxException("invalid or unsupported Perl syntax", _src[start.._pos]);
                            }
                            negate = true;
                            sawFlag = false;
                            continue;
                        case ')' or ':':
                            // Go accepts "(?:re)" and even "(?)"; only a '-' with no flag after it is an error
                            if (negate && !sawFlag)
                            {
                                throw new RegexSyntaxException("invalid or unsupported Perl syntax", _src[start.._pos]);
                            }
                            var dotnet = rendered.ToString() + (renderedNeg.Length > 0 ? "-" + renderedNeg : "");
                            if (f == ')')
                            {
                                _ic = ic;
                                _multiLine = ml;
                                _ungreedy = un;
                                return new RegexFlags(dotnet.Length == 0 ? "" : $"(?{dotnet})");
                            }
                            capturing = false;
                            scopedFlags = dotnet;
                            _ic = ic;
                            _multiLine = ml;
                            _ungreedy = un;
                            goto body;
                        default:
                            throw new RegexSyntaxException("invalid or unsupported Perl syntax", _src[start.._pos]);
                    }
                }
            }
        }
        else
        {
            CaptureCount++;
        }
        if (name is not null)
        {
            CaptureCount++;
        }
    body:
        var inner = ParseAlternate();
        if (Eof || Peek != ')')
        {
            throw new RegexSyntaxException("missing closing )", _src[start..]);
        }
        _pos++;
        _ic = savedIc;
        _multiLine = savedMl;
        _ungreedy = savedU;
        return new RegexGroup(inner, capturing, name, scopedFlags);
    }

    private static bool IsWordName(string name)
    {
        foreach (var ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private RegexNode? ParseEscape(List<RegexNode> siblings)
    {
        var start = _pos;
        _pos++;
        if (Eof)
        {
            throw new RegexSyntaxException("trailing backslash at end of expression", "");
        }
        var c = Peek;
        _pos++;
        switch (c)
        {
            case 'd': return new RegexSet("[0-9]");
            case 'D': return new RegexSet("[^0-9]");
            case 'w': return new RegexSet("[0-9A-Za-z_]");
            case 'W': return new RegexSet("[^0-9A-Za-z_]");
            case 's': return new RegexSet(@"[\t\n\f\r ]");
            case 'S': return new RegexSet(@"[^\t\n\f\r ]");
            case 'A': return new RegexAssertion(@"\A");
            case 'z': return new RegexAssertion(@"\z");
            case 'b': return new RegexAssertion(@"\b");
            case 'B': return new RegexAssertion(@"\B");
            case 'p' or 'P': return new RegexSet(ParseUnicodeClass(c == 'P', start));
            case 'Q':
            {
                var end = _src.IndexOf(@"\E", _pos, StringComparison.Ordinal);
                var text = end < 0 ? _src[_pos..] : _src[_pos..end];
                _pos = end < 0 ? _src.Length : end + 2;
                if (text.Length == 0)
                {
                    return null;
                }
                for (var i = 0; i < text.Length - 1; i++)
                {
                    siblings.Add(Lit(text[i].ToString()));
                }
                return Lit(text[^1].ToString());
            }
            default:
                _pos--;
                return Lit(ParseEscapedChar(start, inClass: false));
        }
    }

    /// <summary>Reads the character after a backslash (already consumed) that stands for a single char.</summary>
    private string ParseEscapedChar(int start, bool inClass)
    {
        var c = Peek;
        _pos++;
        switch (c)
        {
            case 'a': return "\a";
            case 'f': return "\f";
            case 't': return "\t";
            case 'n': return "\n";
            case 'r': return "\r";
            case 'v': return "\v";
            case >= '0' and <= '7':
            {
                // Go allows octal \0.. and \1.. only as up to three digits; \1-\9 alone would be a backreference.
                if (c != '0' && (Eof || Peek < '0' || Peek > '7'))
                {
                    throw new RegexSyntaxException("invalid escape sequence", _src[start.._pos]);
                }
                var code = c - '0';
                for (var k = 0; k < 2 && !Eof && Peek >= '0' && Peek <= '7'; k++)
                {
                    code = code * 8 + (Peek - '0');
                    _pos++;
                }
                return ((char)code).ToString();
            }
            case 'x':
            {
                int code;
                if (!Eof && Peek == '{')
                {
                    var end = _src.IndexOf('}', _pos);
                    if (end < 0 || !int.TryParse(_src.AsSpan(_pos + 1, end - _pos - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code) || code > 0x10FFFF)
                    {
                        throw new RegexSyntaxException("invalid escape sequence", _src[start..Math.Min(_src.Length, _pos + 1)]);
                    }
                    _pos = end + 1;
                }
                else
                {
                    if (_pos + 2 > _src.Length || !int.TryParse(_src.AsSpan(_pos, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code))
                    {
                        throw new RegexSyntaxException("invalid escape sequence", _src[start..Math.Min(_src.Length, _pos + 2)]);
                    }
                    _pos += 2;
                }
                return char.ConvertFromUtf32(code);
            }
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit(c))
                {
                    return c.ToString();
                }
                _ = inClass;
                throw new RegexSyntaxException("invalid escape sequence", _src[start.._pos]);
        }
    }

    private string ParseUnicodeClass(bool negated, int start)
    {
        string name;
        if (!Eof && Peek == '{')
        {
            var end = _src.IndexOf('}', _pos);
            if (end < 0)
            {
                throw new RegexSyntaxException("invalid character class range", _src[start..]);
            }
            name = _src[(_pos + 1)..end];
            _pos = end + 1;
        }
        else if (!Eof)
        {
            name = Peek.ToString();
            _pos++;
        }
        else
        {
            throw new RegexSyntaxException("invalid character class range", _src[start..]);
        }
        if (name.StartsWith('^'))
        {
            negated = !negated;
            name = name[1..];
        }
        if (name == "Any")
        {
            return negated ? @"[^\s\S]" : @"[\s\S]";
        }
        // .NET knows Unicode general categories (L, Lu, Nd...) but not scripts (Greek, Han...).
        if (!IsGeneralCategory(name))
        {
            throw new RegexSyntaxException("invalid character class range", _src[start.._pos]);
        }
        return (negated ? @"\P{" : @"\p{") + name + "}";
    }

    private static bool IsGeneralCategory(string name) => name is
        "L" or "Lu" or "Ll" or "Lt" or "Lm" or "Lo" or "M" or "Mn" or "Mc" or "Me" or "N" or "Nd" or "Nl" or "No"
        or "P" or "Pc" or "Pd" or "Ps" or "Pe" or "Pi" or "Pf" or "Po" or "S" or "Sm" or "Sc" or "Sk" or "So"
        or "Z" or "Zs" or "Zl" or "Zp" or "C" or "Cc" or "Cf" or "Cs" or "Co" or "Cn";
}
