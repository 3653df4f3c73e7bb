using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

internal sealed partial class Parser
{
    private LogSelectorExpr ParseLogExpr()
    {
        var sel = ParseSelector();
        var stages = ParseStages();
        if (Is(TokenKind.Pipe) && Peek(1).Kind == TokenKind.Unwrap)
        {
            // unwrap is only valid inside a range aggregation.
            throw Unexpected(Peek(1));
        }
        return MakeSelector(sel, stages);
    }

    private MatchersExpr ParseSelector()
    {
        Expect(TokenKind.OpenBrace);
        var matchers = new List<LabelMatcher>();
        if (Accept(TokenKind.CloseBrace))
        {
            return new MatchersExpr(ValueList<LabelMatcher>.Empty);
        }
        matchers.Add(ParseMatcher());
        while (Accept(TokenKind.Comma))
        {
            matchers.Add(ParseMatcher());
        }
        if (!Is(TokenKind.CloseBrace))
        {
            throw Unexpected(Cur);
        }
        Take();
        return new MatchersExpr(ValueList.From(matchers));
    }

    private LabelMatcher ParseMatcher()
    {
        var name = Expect(TokenKind.Identifier).Text;
        var type = MatchTypeOf(Cur.Kind) ?? throw Unexpected(Cur);
        Take();
        var value = Expect(TokenKind.String).Text;
        return NewMatcher(type, name, value);
    }

    private static LabelMatchType? MatchTypeOf(TokenKind k) => k switch
    {
        TokenKind.Eq => LabelMatchType.Equal,
        TokenKind.Neq => LabelMatchType.NotEqual,
        TokenKind.Re => LabelMatchType.Regexp,
        TokenKind.Nre => LabelMatchType.NotRegexp,
        _ => null,
    };

    private static LabelMatcher NewMatcher(LabelMatchType type, string name, string value) =>
        LabelMatcher.TryCreate(type, name, value, out var m, out var error) ? m! : throw new ParseException(error!, 0, 0);

    private static LineFilterType? LineFilterTypeOf(TokenKind k) => k switch
    {
        TokenKind.PipeExact => LineFilterType.Equal,
        TokenKind.PipeMatch => LineFilterType.Regexp,
        TokenKind.PipePattern => LineFilterType.Pattern,
        TokenKind.Neq => LineFilterType.NotEqual,
        TokenKind.Nre => LineFilterType.NotRegexp,
        TokenKind.Npa => LineFilterType.NotPattern,
        _ => null,
    };

    // Stages up to (not including) "| unwrap", a range, or anything that is not a stage.
    private List<StageExpr> ParseStages()
    {
        var stages = new List<StageExpr>();
        while (true)
        {
            if (LineFilterTypeOf(Cur.Kind) is { } lft)
            {
                Take();
                ParseLineFilter(lft, stages);
                continue;
            }
            if (!Is(TokenKind.Pipe) || Peek(1).Kind == TokenKind.Unwrap)
            {
                return stages;
            }
            Take();
            stages.Add(ParsePipeStage());
        }
    }

    private void ParseLineFilter(LineFilterType type, List<StageExpr> stages)
    {
        var terms = new List<LineFilterTerm> { ParseLineFilterTerm() };
        while (Is(TokenKind.Or) && Peek(1).Kind is TokenKind.String or TokenKind.Ip)
        {
            Take();
            terms.Add(ParseLineFilterTerm());
        }
        if (type is not (LineFilterType.Equal or LineFilterType.NotEqual) && terms.Exists(t => t.Ip))
        {
            // Loki builds ip() only for |= and != (also inside an or chain).
            throw new ParseException(LokiErrors.IpInvalidOperation, 0, 0);
        }
        if (type is LineFilterType.Pattern or LineFilterType.NotPattern && terms.Exists(t => !t.Ip && NamedCapture().IsMatch(t.Value)))
        {
            throw new ParseException(LokiErrors.NamedCapturesNotAllowed, 0, 0);
        }
        if (type is LineFilterType.Equal or LineFilterType.Regexp or LineFilterType.Pattern || terms.Count == 1)
        {
            stages.Add(new LineFilterExpr(type, ValueList.From(terms)));
            return;
        }
        // !(a or b) == !a and !b: Loki turns a negative or-chain into consecutive filters.
        foreach (var term in terms)
        {
            stages.Add(new LineFilterExpr(type, ValueList.Of(term)));
        }
    }

    private LineFilterTerm ParseLineFilterTerm()
    {
        if (Accept(TokenKind.Ip))
        {
            Expect(TokenKind.OpenParen);
            var cidr = Expect(TokenKind.String).Text;
            Expect(TokenKind.CloseParen);
            return new LineFilterTerm(cidr, true);
        }
        if (!Is(TokenKind.String))
        {
            throw Unexpected(Cur, "STRING or ip");
        }
        return new LineFilterTerm(Take().Text, false);
    }

    private StageExpr ParsePipeStage()
    {
        switch (Cur.Kind)
        {
            case TokenKind.Logfmt:
                {
                    Take();
                    bool strict = false, keepEmpty = false;
                    while (Is(TokenKind.ParserFlag))
                    {
                        var flag = Take().Text;
                        strict |= flag == "--strict";
                        keepEmpty |= flag == "--keep-empty";
                    }
                    return new LogfmtParserExpr(strict, keepEmpty, ParseExtractions());
                }
            case TokenKind.Json:
                Take();
                return new JsonParserExpr(ParseExtractions());
            case TokenKind.Regexp:
                {
                    Take();
                    var re = Expect(TokenKind.String).Text;
                    Validation.ValidateRegexpParser(re);
                    return new LabelParserExpr(LabelParserKind.Regexp, re);
                }
            case TokenKind.Pattern:
                {
                    Take();
                    var pattern = Expect(TokenKind.String).Text;
                    Validation.ValidatePatternParser(pattern);
                    return new LabelParserExpr(LabelParserKind.Pattern, pattern);
                }
            case TokenKind.Unpack:
                Take();
                return new LabelParserExpr(LabelParserKind.Unpack, "");
            case TokenKind.LineFmt:
                {
                    Take();
                    var template = Expect(TokenKind.String).Text;
                    Validation.ValidateLineFormat(template);
                    return new LineFormatExpr(template);
                }
            case TokenKind.Decolorize:
                Take();
                return new DecolorizeExpr();
            case TokenKind.LabelFmt:
                {
                    Take();
                    var formats = new List<LabelFormat> { ParseLabelFormat() };
                    while (Accept(TokenKind.Comma))
                    {
                        formats.Add(ParseLabelFormat());
                    }
                    var labelFormat = new LabelFormatExpr(ValueList.From(formats));
                    Validation.ValidateLabelFormat(labelFormat);
                    return labelFormat;
                }
            case TokenKind.Drop:
                Take();
                return new DropLabelsExpr(ParseNamedMatchers());
            case TokenKind.Keep:
                Take();
                return new KeepLabelsExpr(ParseNamedMatchers());
            default:
                return new LabelFilterExpr(ParseLabelFilter());
        }
    }

    private ValueList<LabelExtraction> ParseExtractions()
    {
        if (!Is(TokenKind.Identifier))
        {
            return ValueList<LabelExtraction>.Empty;
        }
        var list = new List<LabelExtraction> { ParseExtraction() };
        while (Accept(TokenKind.Comma))
        {
            list.Add(ParseExtraction());
        }
        return ValueList.From(list);
    }

    private LabelExtraction ParseExtraction()
    {
        var id = Expect(TokenKind.Identifier).Text;
        if (Accept(TokenKind.Eq))
        {
            return new LabelExtraction(id, Expect(TokenKind.String).Text);
        }
        return new LabelExtraction(id, id);
    }

    private LabelFormat ParseLabelFormat()
    {
        var name = Expect(TokenKind.Identifier).Text;
        Expect(TokenKind.Eq);
        if (Is(TokenKind.Identifier))
        {
            return new LabelFormat(name, Take().Text, true);
        }
        if (!Is(TokenKind.String))
        {
            throw Unexpected(Cur, "IDENTIFIER or STRING");
        }
        return new LabelFormat(name, Take().Text, false);
    }

    private ValueList<NamedLabelMatcher> ParseNamedMatchers()
    {
        var list = new List<NamedLabelMatcher> { ParseNamedMatcher() };
        while (Accept(TokenKind.Comma))
        {
            list.Add(ParseNamedMatcher());
        }
        return ValueList.From(list);
    }

    private NamedLabelMatcher ParseNamedMatcher()
    {
        var name = Expect(TokenKind.Identifier).Text;
        if (MatchTypeOf(Cur.Kind) is not { } type)
        {
            return new NamedLabelMatcher(name, null);
        }
        Take();
        var value = Expect(TokenKind.String).Text;
        return new NamedLabelMatcher("", NewMatcher(type, name, value));
    }

    // or binds loosest; and / ',' / juxtaposition bind tighter.
    private LabelFilter ParseLabelFilter()
    {
        Enter();
        var left = ParseLabelFilterAnd();
        while (Is(TokenKind.Or) && Peek(1).Kind is TokenKind.Identifier or TokenKind.OpenParen)
        {
            Take();
            left = new BinaryLabelFilter(left, ParseLabelFilterAnd(), false);
        }
        _depth--;
        return left;
    }

    private LabelFilter ParseLabelFilterAnd()
    {
        var left = ParseLabelFilterPrimary();
        while (true)
        {
            if (Is(TokenKind.And) || (Is(TokenKind.Comma) && Peek(1).Kind is TokenKind.Identifier or TokenKind.OpenParen))
            {
                Take();
            }
            else if (!Is(TokenKind.Identifier) && !Is(TokenKind.OpenParen))
            {
                return left;
            }
            left = new BinaryLabelFilter(left, ParseLabelFilterPrimary(), true);
        }
    }

    private LabelFilter ParseLabelFilterPrimary()
    {
        if (Accept(TokenKind.OpenParen))
        {
            var inner = ParseLabelFilter();
            if (!Is(TokenKind.CloseParen))
            {
                throw Unexpected(Cur);
            }
            Take();
            return inner;
        }
        if (!Is(TokenKind.Identifier))
        {
            // After '|' many stages are possible; like Loki, name no expectation.
            throw Unexpected(Cur);
        }
        var name = Take().Text;
        var opTok = Cur;
        LabelFilterOp op;
        switch (opTok.Kind)
        {
            case TokenKind.Eq or TokenKind.Neq or TokenKind.Re or TokenKind.Nre when Peek(1).Kind == TokenKind.String:
                Take();
                return new StringLabelFilter(NewMatcher(MatchTypeOf(opTok.Kind)!.Value, name, Take().Text));
            case TokenKind.Re or TokenKind.Nre when Peek(1).Kind == TokenKind.Ip:
                Take();
                throw Unexpected(Cur, "STRING");
            case TokenKind.Eq or TokenKind.Neq when Peek(1).Kind == TokenKind.Ip:
                {
                    Take();
                    Take();
                    Expect(TokenKind.OpenParen);
                    var pattern = Expect(TokenKind.String).Text;
                    Expect(TokenKind.CloseParen);
                    return new IpLabelFilter(name, opTok.Kind == TokenKind.Neq, pattern);
                }
            case TokenKind.Eq or TokenKind.CmpEq:
                op = LabelFilterOp.Equal;
                break;
            case TokenKind.Neq:
                op = LabelFilterOp.NotEqual;
                break;
            case TokenKind.Gt:
                op = LabelFilterOp.GreaterThan;
                break;
            case TokenKind.Gte:
                op = LabelFilterOp.GreaterThanOrEqual;
                break;
            case TokenKind.Lt:
                op = LabelFilterOp.LesserThan;
                break;
            case TokenKind.Lte:
                op = LabelFilterOp.LesserThanOrEqual;
                break;
            default:
                throw Unexpected(opTok);
        }
        Take();
        var v = Cur;
        switch (v.Kind)
        {
            case TokenKind.Duration:
                Take();
                return new DurationLabelFilter(name, op, v.DurationNs);
            case TokenKind.Bytes:
                Take();
                return new BytesLabelFilter(name, op, v.Bytes);
            case TokenKind.Number:
                Take();
                return new NumericLabelFilter(name, op, Lexer.ParseNumber(v.Text));
            case TokenKind.Add or TokenKind.Sub when Peek(1).Kind == TokenKind.Number:
                {
                    Take();
                    var n = Lexer.ParseNumber(Take().Text);
                    return new NumericLabelFilter(name, op, v.Kind == TokenKind.Sub ? -n : n);
                }
            default:
                throw Unexpected(v);
        }
    }

    private UnwrapExpr? TryParseUnwrap()
    {
        if (!Is(TokenKind.Pipe) || Peek(1).Kind != TokenKind.Unwrap)
        {
            return null;
        }
        Take();
        Take();
        var conversion = Cur.Kind switch
        {
            TokenKind.BytesConv => UnwrapConversion.Bytes,
            TokenKind.DurationConv => UnwrapConversion.Duration,
            TokenKind.DurationSecondsConv => UnwrapConversion.DurationSeconds,
            _ => UnwrapConversion.None,
        };
        string id;
        if (conversion == UnwrapConversion.None)
        {
            id = Expect(TokenKind.Identifier).Text;
        }
        else
        {
            Take();
            Expect(TokenKind.OpenParen);
            id = Expect(TokenKind.Identifier).Text;
            Expect(TokenKind.CloseParen);
        }
        var post = new List<LabelFilter>();
        while (Accept(TokenKind.Pipe))
        {
            post.Add(ParseLabelFilter());
        }
        return new UnwrapExpr(id, conversion, ValueList.From(post));
    }

    /// <summary>A named capture <c>&lt;name&gt;</c> of a pattern (<c>&lt;_&gt;</c> is not one).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"<(?!_>)[A-Za-z_][A-Za-z0-9_]*>")]
    private static partial System.Text.RegularExpressions.Regex NamedCapture();
}
