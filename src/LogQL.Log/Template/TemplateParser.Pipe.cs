using System.Globalization;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Template;

internal sealed partial class TemplateParser
{
    private readonly record struct Tok(char Kind, string Text);

    // Token kinds: 'f' field chain, 'v' variable, 'i' identifier, 's' string, 'n' number, 'c' char const,
    // '(' ')' '|' ',' ':' (:=) '=' (assign).
    private List<Tok> Lex(string text)
    {
        var toks = new List<Tok>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsSpace(c))
            {
                i++;
                continue;
            }
            switch (c)
            {
                case '(' or ')' or '|' or ',':
                    toks.Add(new Tok(c, c.ToString()));
                    i++;
                    continue;
                case ':':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        toks.Add(new Tok(':', ":="));
                        i += 2;
                        continue;
                    }
                    throw Error("expected :=");
                case '=':
                    toks.Add(new Tok('=', "="));
                    i++;
                    continue;
                case '"':
                {
                    var j = i + 1;
                    while (j < text.Length && text[j] != '"')
                    {
                        j += text[j] == '\\' ? 2 : 1;
                    }
                    if (j >= text.Length)
                    {
                        throw Error("unterminated quoted string");
                    }
                    toks.Add(new Tok('s', text[i..(j + 1)]));
                    i = j + 1;
                    continue;
                }
                case '`':
                {
                    var j = text.IndexOf('`', i + 1);
                    if (j < 0)
                    {
                        throw Error("unterminated raw quoted string");
                    }
                    toks.Add(new Tok('s', text[i..(j + 1)]));
                    i = j + 1;
                    continue;
                }
                case '\'':
                {
                    var j = i + 1;
                    while (j < text.Length && text[j] != '\'')
                    {
                        j += text[j] == '\\' ? 2 : 1;
                    }
                    if (j >= text.Length)
                    {
                        throw Error("unterminated character constant");
                    }
                    toks.Add(new Tok('c', text[i..(j + 1)]));
                    i = j + 1;
                    continue;
                }
            }
            var start = i;
            if (c == '.' && (i + 1 >= text.Length || !char.IsAsciiDigit(text[i + 1])))
            {
                i++;
                while (i < text.Length && (IsIdentChar(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                toks.Add(new Tok('f', text[start..i]));
                continue;
            }
            if (c == '$')
            {
                i++;
                while (i < text.Length && (IsIdentChar(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                toks.Add(new Tok('v', text[start..i]));
                continue;
            }
            if (char.IsAsciiDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.')))
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.' || text[i] == '_' ||
                    ((text[i] == '+' || text[i] == '-') && (text[i - 1] == 'e' || text[i - 1] == 'E'))))
                {
                    i++;
                }
                toks.Add(new Tok('n', text[start..i]));
                continue;
            }
            if (IsIdentChar(c))
            {
                while (i < text.Length && IsIdentChar(text[i]))
                {
                    i++;
                }
                // a field chain may follow an identifier only for parenthesised results; keep identifiers plain
                toks.Add(new Tok('i', text[start..i]));
                if (i < text.Length && text[i] == '.')
                {
                    throw Error($"unexpected . after term {GoQuote.Quote(text[start..i])}");
                }
                continue;
            }
            throw Error($"unexpected {GoQuote.Quote(c.ToString())} in command");
        }
        return toks;
    }

    private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || (c > 127 && char.IsLetterOrDigit(c));

    private TPipe ParsePipe(string text, bool allowDecl)
    {
        var toks = Lex(text);
        var pos = 0;
        var pipe = ParsePipeTokens(toks, ref pos, allowDecl, text);
        if (pos != toks.Count)
        {
            throw Error($"unexpected {GoQuote.Quote(toks[pos].Text)} in operand");
        }
        return pipe;
    }

    private TPipe ParsePipeTokens(List<Tok> toks, ref int pos, bool allowDecl, string source)
    {
        var vars = new List<string>();
        var assign = false;
        if (allowDecl && pos < toks.Count && toks[pos].Kind == 'v')
        {
            // $x := ..., $x = ..., $i, $e := ...
            var look = pos;
            var names = new List<string> { toks[look].Text };
            look++;
            if (look < toks.Count && toks[look].Kind == ',' && look + 1 < toks.Count && toks[look + 1].Kind == 'v')
            {
                names.Add(toks[look + 1].Text);
                look += 2;
            }
            if (look < toks.Count && (toks[look].Kind == ':' || toks[look].Kind == '='))
            {
                assign = toks[look].Kind == '=';
                vars = names;
                pos = look + 1;
            }
        }
        var commands = new List<TCommand>();
        while (true)
        {
            var args = new List<TArg>();
            while (pos < toks.Count && toks[pos].Kind != '|' && toks[pos].Kind != ')')
            {
                args.Add(ParseOperand(toks, ref pos));
            }
            if (args.Count == 0)
            {
                throw Error(commands.Count == 0 ? "missing value for command" : "missing command after |");
            }
            commands.Add(new TCommand(args));
            if (pos < toks.Count && toks[pos].Kind == '|')
            {
                pos++;
                continue;
            }
            break;
        }
        return new TPipe(vars, assign, commands, source.Trim());
    }

    private TArg ParseOperand(List<Tok> toks, ref int pos)
    {
        var t = toks[pos++];
        switch (t.Kind)
        {
            case 'f':
                return new TField(SplitPath(t.Text[1..]));
            case 'v':
            {
                var dot = t.Text.IndexOf('.', StringComparison.Ordinal);
                return dot < 0 ? new TVariable(t.Text, []) : new TVariable(t.Text[..dot], SplitPath(t.Text[(dot + 1)..]));
            }
            case 's':
                if (!GoQuote.TryUnquote(t.Text, out var s))
                {
                    throw Error($"invalid syntax: {t.Text}");
                }
                return new TConstant(s);
            case 'c':
                if (!GoQuote.TryUnquote(t.Text, out var ch))
                {
                    throw Error($"malformed character constant: {t.Text}");
                }
                return new TConstant((long)char.ConvertToUtf32(ch, 0));
            case 'n':
                return new TConstant(ParseNumber(t.Text));
            case 'i':
                return t.Text switch
                {
                    "true" => new TConstant(true),
                    "false" => new TConstant(false),
                    "nil" => new TConstant(null),
                    _ => _functions.Contains(t.Text) ? new TFunction(t.Text) : throw Error($"function {GoQuote.Quote(t.Text)} not defined"),
                };
            case '(':
            {
                var inner = ParsePipeTokens(toks, ref pos, allowDecl: false, "");
                if (pos >= toks.Count || toks[pos].Kind != ')')
                {
                    throw Error("unclosed left paren");
                }
                pos++;
                var path = new List<string>();
                while (pos < toks.Count && toks[pos].Kind == 'f' && toks[pos].Text.Length > 1)
                {
                    // (pipe).field: the lexer reads ".field" as a field token directly after ')'
                    path.AddRange(SplitPath(toks[pos].Text[1..]));
                    pos++;
                }
                return new TSubPipe(inner, path);
            }
            default:
                throw Error($"unexpected {GoQuote.Quote(t.Text)} in operand");
        }
    }

    private static string[] SplitPath(string path) => path.Length == 0 ? [] : path.Split('.');

    private object ParseNumber(string text)
    {
        var t = text.Replace("_", "", StringComparison.Ordinal);
        var neg = t.StartsWith('-');
        var body = t.TrimStart('-', '+');
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            long.TryParse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return neg ? -hex : hex;
        }
        if (body.Length > 1 && body[0] == '0' && body.All(char.IsAsciiDigit) &&
            TryParseOctal(body, out var oct))
        {
            return neg ? -oct : oct;
        }
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }
        throw Error($"bad number syntax: {GoQuote.Quote(text)}");
    }

    private static bool TryParseOctal(string s, out long value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c > '7')
            {
                return false;
            }
            value = value * 8 + (c - '0');
        }
        return true;
    }

    internal static string Describe(TPipe pipe)
    {
        var sb = new StringBuilder("<");
        sb.Append(pipe.Source);
        sb.Append('>');
        return sb.ToString();
    }
}
