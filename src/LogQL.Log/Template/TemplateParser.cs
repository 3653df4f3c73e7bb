namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>Parses Go text/template syntax (actions, pipelines, if/else if/with/range/break/continue, variables, trim markers, comments).</summary>
internal sealed partial class TemplateParser
{
    private readonly string _src;
    private readonly string _name;
    private readonly IReadOnlySet<string> _functions;
    private readonly List<(TokKind Kind, string Text, int Pos)> _segments = [];
    private int _seg;
    private int _rangeDepth;

    private enum TokKind
    {
        Text,
        Action,
    }

    private TemplateParser(string src, string name, IReadOnlySet<string> functions)
    {
        _src = src;
        _name = name;
        _functions = functions;
    }

    public static IReadOnlyList<TNode> Parse(string src, string name, IReadOnlySet<string> functions)
    {
        var p = new TemplateParser(src, name, functions);
        p.Split();
        var list = p.ParseList(out var end);
        if (end is not null)
        {
            throw p.Error($"unexpected {{{{{end}}}}}");
        }
        return list;
    }

    private TemplateException Error(string message) => new($"template: {_name}:1: {message}");

    /// <summary>Splits the source into text and action bodies, applying trim markers and dropping comments.</summary>
    private void Split()
    {
        var i = 0;
        var trimNextText = false;
        while (i < _src.Length)
        {
            var open = _src.IndexOf("{{", i, StringComparison.Ordinal);
            var text = open < 0 ? _src[i..] : _src[i..open];
            if (trimNextText)
            {
                text = text.TrimStart(' ', '\t', '\r', '\n');
            }
            trimNextText = false;
            if (open < 0)
            {
                AddText(text);
                break;
            }
            var bodyStart = open + 2;
            if (bodyStart + 1 < _src.Length && _src[bodyStart] == '-' && IsSpace(_src[bodyStart + 1]))
            {
                text = text.TrimEnd(' ', '\t', '\r', '\n');
                bodyStart += 2;
            }
            AddText(text);
            var close = FindClose(bodyStart);
            if (close < 0)
            {
                throw Error("unclosed action");
            }
            var bodyEnd = close;
            if (bodyEnd - 2 >= bodyStart && _src[bodyEnd - 1] == '-' && IsSpace(_src[bodyEnd - 2]))
            {
                trimNextText = true;
                bodyEnd -= 2;
            }
            var body = _src[bodyStart..bodyEnd].Trim();
            if (body.StartsWith("/*", StringComparison.Ordinal))
            {
                if (!body.EndsWith("*/", StringComparison.Ordinal))
                {
                    throw Error("unclosed comment");
                }
            }
            else
            {
                _segments.Add((TokKind.Action, body, bodyStart));
            }
            i = close + 2;
        }
    }

    private void AddText(string text)
    {
        if (text.Length > 0)
        {
            _segments.Add((TokKind.Text, text, 0));
        }
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    // Finds the "}}" closing an action, skipping over quoted strings inside it.
    private int FindClose(int from)
    {
        var i = from;
        if (_src.AsSpan(i).TrimStart().StartsWith("/*"))
        {
            var end = _src.IndexOf("*/", i, StringComparison.Ordinal);
            return end < 0 ? -1 : _src.IndexOf("}}", end, StringComparison.Ordinal);
        }
        while (i < _src.Length - 1)
        {
            var c = _src[i];
            if (c == '"' || c == '\'')
            {
                i++;
                while (i < _src.Length && _src[i] != c)
                {
                    if (_src[i] == '\\')
                    {
                        i++;
                    }
                    i++;
                }
                i++;
                continue;
            }
            if (c == '`')
            {
                var end = _src.IndexOf('`', i + 1);
                if (end < 0)
                {
                    return -1;
                }
                i = end + 1;
                continue;
            }
            if (c == '}' && _src[i + 1] == '}')
            {
                return i;
            }
            i++;
        }
        return -1;
    }

    /// <summary>Parses nodes until end, else or end-of-input; <paramref name="end"/> names the terminator ("end", "else ...") or null.</summary>
    private List<TNode> ParseList(out string? end)
    {
        var nodes = new List<TNode>();
        while (_seg < _segments.Count)
        {
            var (kind, text, _) = _segments[_seg++];
            if (kind == TokKind.Text)
            {
                nodes.Add(new TText(text));
                continue;
            }
            var keyword = FirstWord(text);
            switch (keyword)
            {
                case "end":
                    if (text != "end")
                    {
                        throw Error("unexpected token in end");
                    }
                    end = "end";
                    return nodes;
                case "else":
                    end = text;
                    return nodes;
                case "if":
                case "with":
                    nodes.Add(ParseBranch(keyword, text[keyword.Length..]));
                    continue;
                case "range":
                    _rangeDepth++;
                    nodes.Add(ParseBranch(keyword, text[keyword.Length..]));
                    _rangeDepth--;
                    continue;
                case "break":
                case "continue":
                    if (_rangeDepth == 0)
                    {
                        throw Error($"{{{{{keyword}}}}} outside {{{{range}}}}");
                    }
                    nodes.Add(keyword == "break" ? new TBreak() : new TContinue());
                    continue;
                case "define":
                case "template":
                case "block":
                    throw Error($"{{{{{keyword}}}}} is not supported");
                default:
                    nodes.Add(new TAction(ParsePipe(text, allowDecl: true)));
                    continue;
            }
        }
        end = null;
        return nodes;
    }

    private TNode ParseBranch(string keyword, string pipeText)
    {
        var pipe = ParsePipe(pipeText, allowDecl: true);
        var then = ParseList(out var end);
        if (end is null)
        {
            throw Error($"unexpected EOF in {keyword}");
        }
        List<TNode>? elseList = null;
        if (end != "end")
        {
            var rest = end["else".Length..].Trim();
            if (rest.Length == 0)
            {
                elseList = ParseList(out var end2);
                if (end2 != "end")
                {
                    throw Error($"expected end; found {end2 ?? "EOF"}");
                }
            }
            else
            {
                // {{else if ...}} / {{else with ...}} chains into a nested branch sharing our {{end}}
                var kw = FirstWord(rest);
                if (kw != "if" && kw != "with")
                {
                    throw Error("unexpected token after else");
                }
                elseList = [ParseBranch(kw, rest[kw.Length..])];
            }
        }
        return keyword switch
        {
            "if" => new TIf(pipe, then, elseList),
            "with" => new TWith(pipe, then, elseList),
            _ => new TRange(pipe, then, elseList),
        };
    }

    private static string FirstWord(string text)
    {
        var i = 0;
        while (i < text.Length && char.IsAsciiLetter(text[i]))
        {
            i++;
        }
        return i < text.Length && !IsSpace(text[i]) && text[i] != '(' ? "" : text[..i];
    }
}
