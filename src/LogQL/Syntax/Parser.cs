using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// Recursive-descent parser with precedence climbing for binary operators (Prometheus precedence, <c>^</c> right-associative).
/// Errors carry the position of the offending token and Loki's phrasing (<c>syntax error: unexpected X</c>).
/// </summary>
internal sealed partial class Parser
{
    // Deep enough for any real query; bounds recursion (and stack use) on hostile input.
    internal const int MaxDepth = 256;

    private readonly Lexer _lexer;
    private readonly List<Token> _buffer = [];
    private int _depth;

    public Parser(string src) => _lexer = new Lexer(src);

    private Token Cur => Peek(0);

    private Token Peek(int ahead)
    {
        while (_buffer.Count <= ahead)
        {
            _buffer.Add(_lexer.Next());
        }
        return _buffer[ahead];
    }

    private Token Take()
    {
        var t = Peek(0);
        _buffer.RemoveAt(0);
        return t;
    }

    private bool Is(TokenKind k) => Cur.Kind == k;

    private bool Accept(TokenKind k)
    {
        if (Cur.Kind != k)
        {
            return false;
        }
        Take();
        return true;
    }

    private Token Expect(TokenKind k)
    {
        if (Cur.Kind != k)
        {
            throw Unexpected(Cur, new Token(k, "", 0, 0, 0, 0).DisplayName);
        }
        return Take();
    }

    private static ParseException Unexpected(Token t, string? expecting = null) =>
        new(expecting is null ? $"syntax error: unexpected {t.DisplayName}" : $"syntax error: unexpected {t.DisplayName}, expecting {expecting}", t.Line, t.Column);

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new ParseException(LokiErrors.NestedTooDeep(MaxDepth), Cur.Line, Cur.Column);
        }
    }

    public Expr ParseRoot()
    {
        var e = ParseExpr(0);
        if (!Is(TokenKind.Eof))
        {
            throw Unexpected(Cur);
        }
        return e;
    }

    private static int Precedence(TokenKind k) => k switch
    {
        TokenKind.Or => 1,
        TokenKind.And or TokenKind.Unless => 2,
        TokenKind.CmpEq or TokenKind.Neq or TokenKind.Gt or TokenKind.Gte or TokenKind.Lt or TokenKind.Lte => 3,
        TokenKind.Add or TokenKind.Sub => 4,
        TokenKind.Mul or TokenKind.Div or TokenKind.Mod => 5,
        TokenKind.Pow => 6,
        _ => 0,
    };

    private static BinaryOp ToBinaryOp(TokenKind k) => k switch
    {
        TokenKind.Or => BinaryOp.Or,
        TokenKind.And => BinaryOp.And,
        TokenKind.Unless => BinaryOp.Unless,
        TokenKind.Add => BinaryOp.Add,
        TokenKind.Sub => BinaryOp.Sub,
        TokenKind.Mul => BinaryOp.Mul,
        TokenKind.Div => BinaryOp.Div,
        TokenKind.Mod => BinaryOp.Mod,
        TokenKind.Pow => BinaryOp.Pow,
        TokenKind.CmpEq => BinaryOp.Eq,
        TokenKind.Neq => BinaryOp.Neq,
        TokenKind.Gt => BinaryOp.Gt,
        TokenKind.Gte => BinaryOp.Gte,
        TokenKind.Lt => BinaryOp.Lt,
        _ => BinaryOp.Lte,
    };

    private Expr ParseExpr(int minPrec)
    {
        Enter();
        var left = ParsePrimary();
        while (true)
        {
            var prec = Precedence(Cur.Kind);
            if (prec == 0 || prec < minPrec)
            {
                break;
            }
            var opKind = Take().Kind;
            var options = ParseBinOpModifiers();
            var right = ParseExpr(opKind == TokenKind.Pow ? prec : prec + 1);
            left = MakeBinOp(ToBinaryOp(opKind), options, left, right);
        }
        _depth--;
        return left;
    }

    private BinOpOptions ParseBinOpModifiers()
    {
        var returnBool = Accept(TokenKind.Bool);
        if (!Is(TokenKind.On) && !Is(TokenKind.Ignoring))
        {
            return returnBool ? new BinOpOptions(true, VectorMatching.Default) : BinOpOptions.Default;
        }
        var on = Take().Kind == TokenKind.On;
        var labels = ParseLabelList();
        var card = VectorMatchCardinality.OneToOne;
        var include = ValueList<string>.Empty;
        if (Is(TokenKind.GroupLeft) || Is(TokenKind.GroupRight))
        {
            card = Take().Kind == TokenKind.GroupLeft ? VectorMatchCardinality.ManyToOne : VectorMatchCardinality.OneToMany;
            if (Is(TokenKind.OpenParen))
            {
                include = ParseLabelList();
            }
        }
        return new BinOpOptions(returnBool, new VectorMatching(card, labels, on, include));
    }

    // ( a, b, c ) — possibly empty.
    private ValueList<string> ParseLabelList()
    {
        Expect(TokenKind.OpenParen);
        var labels = new List<string>();
        if (!Is(TokenKind.CloseParen))
        {
            labels.Add(Expect(TokenKind.Identifier).Text);
            while (Accept(TokenKind.Comma))
            {
                labels.Add(Expect(TokenKind.Identifier).Text);
            }
        }
        if (!Is(TokenKind.CloseParen))
        {
            throw Unexpected(Cur, labels.Count == 0 ? "IDENTIFIER or )" : ", or )");
        }
        Take();
        return ValueList.From(labels);
    }

    private static SampleExpr MakeBinOp(BinaryOp op, BinOpOptions options, Expr lhs, Expr rhs)
    {
        if (lhs is not SampleExpr left)
        {
            throw new ParseException(LokiErrors.UnexpectedLegType("left", op.Name(), GoTypeName(lhs)), 0, 0);
        }
        if (rhs is not SampleExpr right)
        {
            throw new ParseException(LokiErrors.UnexpectedLegType("right", op.Name(), GoTypeName(rhs)), 0, 0);
        }
        var leftLit = left as LiteralExpr;
        var rightLit = right as LiteralExpr;
        if (op.IsSetOperator())
        {
            if (leftLit is not null)
            {
                throw new ParseException(LokiErrors.UnexpectedLegLiteral("left", op.Name(), leftLit.Value), 0, 0);
            }
            if (rightLit is not null)
            {
                throw new ParseException(LokiErrors.UnexpectedLegLiteral("right", op.Name(), rightLit.Value), 0, 0);
            }
        }
        if (leftLit is not null && rightLit is not null)
        {
            // Loki folds literal-only operations (1 + 1 -> 2) so no binary operation has two literal legs.
            return new LiteralExpr(ScalarMath.Apply(op, leftLit.Value, rightLit.Value));
        }
        return new BinOpExpr(op, left, right, options);
    }

    private static string GoTypeName(Expr e) => e switch
    {
        MatchersExpr => "*syntax.MatchersExpr",
        PipelineExpr => "*syntax.PipelineExpr",
        _ => "*syntax." + e.GetType().Name,
    };

    private Expr ParsePrimary()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case TokenKind.OpenBrace:
                return ParseLogExpr();
            case TokenKind.OpenParen:
                {
                    Take();
                    var inner = ParseExpr(0);
                    if (!Is(TokenKind.CloseParen))
                    {
                        throw Unexpected(Cur);
                    }
                    Take();
                    return inner;
                }
            case TokenKind.Number:
                Take();
                return new LiteralExpr(Lexer.ParseNumber(t.Text));
            case TokenKind.Add or TokenKind.Sub:
                {
                    Take();
                    var n = Expect(TokenKind.Number);
                    var v = Lexer.ParseNumber(n.Text);
                    return new LiteralExpr(t.Kind == TokenKind.Sub ? -v : v);
                }
            case TokenKind.Vector:
                {
                    Take();
                    Expect(TokenKind.OpenParen);
                    var n = Expect(TokenKind.Number);
                    Expect(TokenKind.CloseParen);
                    return new VectorExpr(Lexer.ParseNumber(n.Text));
                }
            case TokenKind.LabelReplace:
                return ParseLabelReplace();
        }
        if (RangeOpOf(t.Kind) is { } rangeOp)
        {
            return ParseRangeAggregation(rangeOp);
        }
        if (VectorOpOf(t.Kind) is { } vectorOp)
        {
            return ParseVectorAggregation(vectorOp);
        }
        throw Unexpected(t);
    }

    private SampleExpr ParseMetricArgument()
    {
        var e = ParseExpr(0);
        if (e is not SampleExpr s)
        {
            throw Unexpected(Cur);
        }
        return s;
    }

    private LabelReplaceExpr ParseLabelReplace()
    {
        Take();
        Expect(TokenKind.OpenParen);
        var inner = ParseMetricArgument();
        var args = new string[4];
        for (var i = 0; i < 4; i++)
        {
            Expect(TokenKind.Comma);
            args[i] = Expect(TokenKind.String).Text;
        }
        Expect(TokenKind.CloseParen);
        if (!GoRegex.TryCompileReplace(args[3], out _, out var error))
        {
            throw new ParseException(LokiErrors.InvalidLabelReplaceRegex(error), 0, 0);
        }
        return new LabelReplaceExpr(inner, args[0], args[1], args[2], args[3]);
    }

    private static RangeOp? RangeOpOf(TokenKind k) => k switch
    {
        TokenKind.CountOverTime => RangeOp.CountOverTime,
        TokenKind.Rate => RangeOp.Rate,
        TokenKind.RateCounter => RangeOp.RateCounter,
        TokenKind.BytesOverTime => RangeOp.BytesOverTime,
        TokenKind.BytesRate => RangeOp.BytesRate,
        TokenKind.AvgOverTime => RangeOp.AvgOverTime,
        TokenKind.SumOverTime => RangeOp.SumOverTime,
        TokenKind.MinOverTime => RangeOp.MinOverTime,
        TokenKind.MaxOverTime => RangeOp.MaxOverTime,
        TokenKind.StdvarOverTime => RangeOp.StdvarOverTime,
        TokenKind.StddevOverTime => RangeOp.StddevOverTime,
        TokenKind.QuantileOverTime => RangeOp.QuantileOverTime,
        TokenKind.FirstOverTime => RangeOp.FirstOverTime,
        TokenKind.LastOverTime => RangeOp.LastOverTime,
        TokenKind.AbsentOverTime => RangeOp.AbsentOverTime,
        _ => null,
    };

    private static VectorOp? VectorOpOf(TokenKind k) => k switch
    {
        TokenKind.Sum => VectorOp.Sum,
        TokenKind.Avg => VectorOp.Avg,
        TokenKind.Min => VectorOp.Min,
        TokenKind.Max => VectorOp.Max,
        TokenKind.Stddev => VectorOp.Stddev,
        TokenKind.Stdvar => VectorOp.Stdvar,
        TokenKind.Count => VectorOp.Count,
        TokenKind.Topk => VectorOp.Topk,
        TokenKind.ApproxTopk => VectorOp.ApproxTopk,
        TokenKind.Bottomk => VectorOp.Bottomk,
        TokenKind.Sort => VectorOp.Sort,
        TokenKind.SortDesc => VectorOp.SortDesc,
        _ => null,
    };

    private Grouping? TryParseGrouping()
    {
        if (!Is(TokenKind.By) && !Is(TokenKind.Without))
        {
            return null;
        }
        var without = Take().Kind == TokenKind.Without;
        return new Grouping(ParseLabelList(), without);
    }

    private VectorAggregationExpr ParseVectorAggregation(VectorOp op)
    {
        Take();
        var grouping = TryParseGrouping();
        Expect(TokenKind.OpenParen);
        string? param = null;
        if (Is(TokenKind.Number) && Peek(1).Kind == TokenKind.Comma)
        {
            param = Take().Text;
            Take();
        }
        var inner = ParseMetricArgument();
        Expect(TokenKind.CloseParen);
        if (grouping is null)
        {
            grouping = TryParseGrouping();
        }
        else if (Is(TokenKind.By) || Is(TokenKind.Without))
        {
            throw Unexpected(Cur);
        }
        return Validation.NewVectorAggregation(op, inner, grouping, param);
    }

    private RangeAggregationExpr ParseRangeAggregation(RangeOp op)
    {
        Take();
        Expect(TokenKind.OpenParen);
        string? param = null;
        if (Is(TokenKind.Number))
        {
            param = Take().Text;
            Expect(TokenKind.Comma);
        }
        var range = ParseLogRange();
        Expect(TokenKind.CloseParen);
        var grouping = TryParseGrouping();
        return Validation.NewRangeAggregation(op, range, grouping, param);
    }

    private LogRangeExpr ParseLogRange()
    {
        Enter();
        LogRangeExpr result;
        if (Is(TokenKind.OpenParen))
        {
            Take();
            if (Is(TokenKind.OpenBrace))
            {
                var sel = ParseSelector();
                var stages = ParseStages();
                var unwrap = TryParseUnwrap();
                if (Is(TokenKind.Range))
                {
                    // ( selector … [range] … ): a parenthesised log range.
                    result = ContinueLogRange(sel, stages, unwrap);
                    Expect(TokenKind.CloseParen);
                }
                else
                {
                    Expect(TokenKind.CloseParen);
                    var (rangeNs, offsetNs) = ParseRangeAndOffset();
                    result = new LogRangeExpr(MakeSelector(sel, stages), rangeNs, offsetNs, unwrap);
                }
            }
            else
            {
                result = ParseLogRange();
                Expect(TokenKind.CloseParen);
            }
        }
        else
        {
            if (!Is(TokenKind.OpenBrace))
            {
                throw Unexpected(Cur);
            }
            var sel = ParseSelector();
            var stages = ParseStages();
            var unwrap = TryParseUnwrap();
            result = ContinueLogRange(sel, stages, unwrap);
        }
        _depth--;
        return result;
    }

    private LogRangeExpr ContinueLogRange(MatchersExpr sel, List<StageExpr> stages, UnwrapExpr? unwrap)
    {
        var (rangeNs, offsetNs) = ParseRangeAndOffset();
        if (stages.Count == 0 && unwrap is null)
        {
            // Loki also accepts the pipeline after the range: {app="x"}[5m] | json | unwrap y
            stages = ParseStages();
            unwrap = TryParseUnwrap();
        }
        return new LogRangeExpr(MakeSelector(sel, stages), rangeNs, offsetNs, unwrap);
    }

    private (long RangeNs, long OffsetNs) ParseRangeAndOffset()
    {
        if (!Is(TokenKind.Range))
        {
            throw Unexpected(Cur);
        }
        var range = Take().DurationNs;
        long offset = 0;
        if (Accept(TokenKind.Offset))
        {
            offset = Expect(TokenKind.Duration).DurationNs;
        }
        return (range, offset);
    }

    private static LogSelectorExpr MakeSelector(MatchersExpr sel, List<StageExpr> stages) =>
        stages.Count == 0 ? sel : new PipelineExpr(sel, ValueList.From(stages));
}
