using System.Text;

namespace Orleans.Loki.Model;

public sealed partial class GoRegexParser
{
    // Complements of Go's ASCII classes written as .NET class items.
    private const string NotDigitItems = @"\x00-/:-\uFFFF";
    private const string NotWordItems = @"\x00-/:-@\[-\^`{-\uFFFF";
    private const string NotSpaceItems = @"\x00-\x08\x0B\x0E-\x1F!-\uFFFF";

    private RegexNode ParseClass()
    {
        var start = _pos;
        _pos++; // [
        var sb = new StringBuilder("[");
        var negated = false;
        if (!Eof && Peek == '^')
        {
            negated = true;
            sb.Append('^');
            _pos++;
        }
        var first = true;
        var single = (string?)null;
        var items = 0;
        while (true)
        {
            if (Eof)
            {
                throw new RegexSyntaxException("missing closing ]", _src[start..]);
            }
            var c = Peek;
            if (c == ']' && !first)
            {
                _pos++;
                break;
            }
            first = false;
            items++;
            if (c == '[' && _src.AsSpan(_pos).StartsWith("[:"))
            {
                var end = _src.IndexOf(":]", _pos + 2, StringComparison.Ordinal);
                if (end > 0)
                {
                    var name = _src[(_pos + 2)..end];
                    var posix = PosixItems(name) ?? throw new RegexSyntaxException("invalid character class range", _src[_pos..(end + 2)]);
                    sb.Append(posix);
                    _pos = end + 2;
                    single = null;
                    items++;
                    continue;
                }
            }
            if (c == '\\' && _pos + 1 < _src.Length && "dDwWsSpP".Contains(_src[_pos + 1], StringComparison.Ordinal))
            {
                var k = _src[_pos + 1];
                var escStart = _pos;
                _pos += 2;
                sb.Append(k switch
                {
                    'd' => "0-9",
                    'D' => NotDigitItems,
                    'w' => "0-9A-Za-z_",
                    'W' => NotWordItems,
                    's' => @"\t\n\f\r ",
                    'S' => NotSpaceItems,
                    _ => ParseUnicodeClass(k == 'P', escStart),
                });
                single = null;
                items++;
                continue;
            }
            var lo = ReadClassChar(start);
            single = lo;
            if (!Eof && Peek == '-' && _pos + 1 < _src.Length && _src[_pos + 1] != ']')
            {
                _pos++;
                var hi = ReadClassChar(start);
                if (char.ConvertToUtf32(hi, 0) < char.ConvertToUtf32(lo, 0))
                {
                    throw new RegexSyntaxException("invalid character class range", lo + "-" + hi);
                }
                AppendClassChar(sb, lo);
                sb.Append('-');
                AppendClassChar(sb, hi);
                single = null;
                items++;
                continue;
            }
            AppendClassChar(sb, lo);
        }
        sb.Append(']');
        // [x] is just the literal x (helps literal extraction: "[.]" or "[a]").
        if (!negated && items == 1 && single is not null)
        {
            return Lit(single);
        }
        return new RegexSet(sb.ToString());
    }

    private string ReadClassChar(int classStart)
    {
        var c = Peek;
        if (c == '\\')
        {
            var s = _pos;
            _pos++;
            if (Eof)
            {
                throw new RegexSyntaxException("missing closing ]", _src[classStart..]);
            }
            return ParseEscapedChar(s, inClass: true);
        }
        if (char.IsHighSurrogate(c) && _pos + 1 < _src.Length)
        {
            _pos += 2;
            return _src.Substring(_pos - 2, 2);
        }
        _pos++;
        return c.ToString();
    }

    private static void AppendClassChar(StringBuilder sb, string ch)
    {
        if (ch.Length == 1 && (ch[0] is '\\' or ']' or '[' or '^' or '-' || char.IsControl(ch[0])))
        {
            sb.Append(@"\u").Append(((int)ch[0]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        sb.Append(ch);
    }

    private static string? PosixItems(string name)
    {
        var negate = name.StartsWith('^');
        var n = negate ? name[1..] : name;
        var items = n switch
        {
            "alnum" => "0-9A-Za-z",
            "alpha" => "A-Za-z",
            "ascii" => @"\x00-\x7F",
            "blank" => @"\t ",
            "cntrl" => @"\x00-\x1F\x7F",
            "digit" => "0-9",
            "graph" => "!-~",
            "lower" => "a-z",
            "print" => " -~",
            "punct" => @"!-/:-@\[-`{-~",
            "space" => @"\t\n\v\f\r ",
            "upper" => "A-Z",
            "word" => "0-9A-Za-z_",
            "xdigit" => "0-9A-Fa-f",
            _ => null,
        };
        if (items is null)
        {
            return null;
        }
        // A negated POSIX class inside a bracket is expressed with .NET class subtraction of a nested class.
        return negate ? @"\x00-\uFFFF-[" + items + "]" : items;
    }
}
