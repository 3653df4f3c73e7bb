using System.Globalization;
using Orleans.Loki.LogQL.Log;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Loki's semantic checks, with its error texts (reported at line 0, col 0 as Loki does).</summary>
internal static partial class Validation
{
    public const string ErrAtLeastOneEqualityMatcherRequired = LokiErrors.AtLeastOneEqualityMatcherRequired;

    public static void Validate(Expr expr)
    {
        switch (expr)
        {
            case SampleExpr s:
                ValidateSample(s);
                break;
            case LogSelectorExpr l:
                ValidateMatchers(l.Matchers);
                break;
        }
    }

    private static void ValidateSample(SampleExpr expr)
    {
        switch (expr)
        {
            case BinOpExpr b:
                ValidateSample(b.Left);
                ValidateSample(b.Right);
                break;
            case LiteralExpr or VectorExpr:
                break;
            case VectorAggregationExpr v:
                if (v.Operation is VectorOp.Sort or VectorOp.SortDesc && v.Grouping.Groups.Count > 0)
                {
                    throw new ParseException(LokiErrors.SortGroupingNotAllowed, 0, 0);
                }
                ValidateSample(v.Left);
                break;
            default:
                ValidateMatchers(FirstSelector(expr)?.Matchers ?? ValueList<LabelMatcher>.Empty);
                break;
        }
    }

    // The selector Loki's SampleExpr.Selector() returns (a binary operation answers with its left leg).
    private static LogSelectorExpr? FirstSelector(SampleExpr e) => e switch
    {
        RangeAggregationExpr r => r.Left.Left,
        VectorAggregationExpr v => FirstSelector(v.Left),
        LabelReplaceExpr l => FirstSelector(l.Left),
        BinOpExpr b => FirstSelector(b.Left),
        _ => null,
    };

    public static void ValidateMatchers(ValueList<LabelMatcher> matchers)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(""))
            {
                return;
            }
        }
        throw new ParseException(ErrAtLeastOneEqualityMatcherRequired, 0, 0);
    }

    public static RangeAggregationExpr NewRangeAggregation(RangeOp op, LogRangeExpr range, Grouping? grouping, string? param)
    {
        double? parameter = null;
        if (param is not null)
        {
            if (op != RangeOp.QuantileOverTime)
            {
                throw new ParseException(LokiErrors.ParameterNotSupported(param, op.Name()), 0, 0);
            }
            parameter = Lexer.ParseNumber(param);
        }
        else if (op == RangeOp.QuantileOverTime)
        {
            throw new ParseException(LokiErrors.ParameterRequired(op.Name()), 0, 0);
        }
        if (grouping is not null && op is not (RangeOp.AvgOverTime or RangeOp.StddevOverTime or RangeOp.StdvarOverTime
            or RangeOp.QuantileOverTime or RangeOp.MaxOverTime or RangeOp.MinOverTime or RangeOp.FirstOverTime or RangeOp.LastOverTime))
        {
            throw new ParseException(LokiErrors.GroupingNotAllowed(op.Name()), 0, 0);
        }
        if (range.Unwrap is not null)
        {
            if (op is RangeOp.CountOverTime or RangeOp.BytesOverTime or RangeOp.BytesRate)
            {
                throw new ParseException(LokiErrors.AggregationWithUnwrap(op.Name()), 0, 0);
            }
        }
        else if (op is not (RangeOp.BytesOverTime or RangeOp.BytesRate or RangeOp.CountOverTime or RangeOp.Rate or RangeOp.AbsentOverTime))
        {
            throw new ParseException(LokiErrors.AggregationWithoutUnwrap(op.Name()), 0, 0);
        }
        return new RangeAggregationExpr(op, range, parameter, grouping);
    }

    public static VectorAggregationExpr NewVectorAggregation(VectorOp op, SampleExpr inner, Grouping? grouping, string? param)
    {
        var p = 0;
        if (op is VectorOp.Topk or VectorOp.Bottomk or VectorOp.ApproxTopk)
        {
            if (param is null)
            {
                throw new ParseException(LokiErrors.ParameterRequired(op.Name()), 0, 0);
            }
            if (!int.TryParse(param, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out p))
            {
                throw new ParseException(LokiErrors.InvalidParameter(op.Name(), param), 0, 0);
            }
            if (p <= 0)
            {
                throw new ParseException(LokiErrors.ParameterNotPositive(op.Name(), param), 0, 0);
            }
            if (op == VectorOp.ApproxTopk && grouping is not null)
            {
                throw new ParseException(LokiErrors.GroupingNotAllowed(op.Name()), 0, 0);
            }
        }
        else if (param is not null)
        {
            throw new ParseException(LokiErrors.UnsupportedParameter(op.Name(), param), 0, 0);
        }
        return new VectorAggregationExpr(op, inner, grouping ?? Grouping.None, p);
    }

    public static void ValidateRegexpParser(string pattern)
    {
        // Go's regexp accepts a name twice; Loki's regexp stage then refuses it.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match m in NamedGroup().Matches(pattern))
        {
            if (!seen.Add(m.Groups[1].Value))
            {
                throw new ParseException(LokiErrors.RegexpDuplicateLabel(m.Groups[1].Value), 0, 0);
            }
        }
        if (!GoRegex.TryCompile(pattern, out var re, out var error))
        {
            throw new ParseException(LokiErrors.InvalidRegexpParser(error), 0, 0);
        }
        foreach (var name in re!.GetGroupNames())
        {
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return;
            }
        }
        throw new ParseException(LokiErrors.RegexpNoNamedCapture, 0, 0);
    }

    // The stages compile their templates when built next to the data; compiling them here too turns a bad template
    // into a 400 before any data is read, with the stage's own (Loki's) wording.
    public static void ValidateLineFormat(string template)
    {
        if (!LineFormatStage.TryCreate(template, out _, out var error))
        {
            throw new ParseException(error!, 0, 0);
        }
    }

    public static void ValidateLabelFormat(LabelFormatExpr expr)
    {
        if (!LabelFormatStage.TryCreate(expr.ToStageFormats(), out _, out var error))
        {
            throw new ParseException(error!, 0, 0);
        }
    }

    public static void ValidatePatternParser(string pattern)
    {
        // A pattern needs at least one named capture <name>; <_> only skips.
        var i = 0;
        var previousWasCapture = false;
        var sawNamed = false;
        while (i < pattern.Length)
        {
            if (pattern[i] == '<')
            {
                var close = pattern.IndexOf('>', i + 1);
                if (close > i + 1 && IsCaptureName(pattern.AsSpan(i + 1, close - i - 1)))
                {
                    if (previousWasCapture)
                    {
                        throw new ParseException(LokiErrors.PatternConsecutiveCapture(pattern[i..(close + 1)]), 0, 0);
                    }
                    sawNamed |= pattern.AsSpan(i + 1, close - i - 1) is not "_";
                    previousWasCapture = true;
                    i = close + 1;
                    continue;
                }
            }
            previousWasCapture = false;
            i++;
        }
        if (!sawNamed)
        {
            throw new ParseException(LokiErrors.PatternNoCapture, 0, 0);
        }
    }

    private static bool IsCaptureName(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<!\\)\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")]
    private static partial System.Text.RegularExpressions.Regex NamedGroup();
}
