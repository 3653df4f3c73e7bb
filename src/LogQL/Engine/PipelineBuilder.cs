using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;
using LogFilter = Orleans.Loki.LogQL.Log.LabelFilter;
using SyntaxFilter = Orleans.Loki.LogQL.Syntax.LabelFilter;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// Builds LogQL.Log pipeline stages from the AST. The storage layer runs the same function next to the data,
/// so a split query evaluates exactly like an unsplit one.
/// </summary>
public static class PipelineBuilder
{
    /// <summary>The pipeline of a log selector's stages (a no-op pipeline for a bare selector).</summary>
    public static Pipeline Build(LogSelectorExpr selector) => new(BuildStages(selector.Stages));

    /// <summary>The pipeline with parser hints: json and logfmt extract only <paramref name="hints"/>' labels (null: all).</summary>
    public static Pipeline Build(LogSelectorExpr selector, ParserHints? hints) => new(BuildStages(selector.Stages, hints));

    /// <summary>Builds the stages in order.</summary>
    public static List<IStage> BuildStages(IEnumerable<StageExpr> stages) => BuildStages(stages, null);

    private static List<IStage> BuildStages(IEnumerable<StageExpr> stages, ParserHints? hints)
    {
        var result = new List<IStage>();
        foreach (var stage in stages)
        {
            result.Add(BuildStage(stage, hints));
        }
        return result;
    }

    private static IStage BuildStage(StageExpr stage, ParserHints? hints) => stage switch
    {
        LineFilterExpr lf => new LineFilterStage(BuildLineFilter(lf)),
        JsonParserExpr { Expressions.Count: 0 } => new JsonParser(hints),
        JsonParserExpr j => JsonExpressionParser.TryCreate(Pairs(j.Expressions), out var jp, out var jerr) ? jp! : throw Invalid(stage, jerr),
        LogfmtParserExpr l => new LogfmtParser(l.Strict, l.KeepEmpty, l.Expressions.Count == 0 ? null : Pairs(l.Expressions), hints),
        LabelParserExpr { Kind: LabelParserKind.Regexp } r => RegexpParser.TryCreate(r.Param, out var rp, out var rerr) ? rp! : throw Invalid(stage, rerr),
        LabelParserExpr { Kind: LabelParserKind.Pattern } p => PatternParser.TryCreate(p.Param, out var pp, out var perr) ? pp! : throw Invalid(stage, perr),
        LabelParserExpr => new UnpackParser(),
        LabelFilterExpr f => BuildLabelFilter(f.Filter),
        DropLabelsExpr d => new DropLabelsStage(Selectors(d.Labels)),
        KeepLabelsExpr k => new KeepLabelsStage(Selectors(k.Labels)),
        DecolorizeExpr => new DecolorizeStage(),
        LineFormatExpr f => LineFormatStage.TryCreate(f.Template, out var lf, out var lerr) ? lf! : throw new QueryException(lerr!),
        LabelFormatExpr f => LabelFormatStage.TryCreate(f.ToStageFormats(), out var lbf, out var ferr) ? lbf! : throw new QueryException(ferr!),
        _ => throw new QueryException($"unsupported pipeline stage {stage}"),
    };

    private static QueryException Invalid(StageExpr stage, string? error) => new($"invalid stage {stage}: {error}");

    private static KeyValuePair<string, string>[] Pairs(ValueList<LabelExtraction> list) =>
        list.Select(e => new KeyValuePair<string, string>(e.Identifier, e.Expression)).ToArray();

    private static List<LabelSelector> Selectors(ValueList<NamedLabelMatcher> items) =>
        items.Select(i => i.Matcher is null ? new LabelSelector(i.Name) : LabelSelector.FromMatcher(i.Matcher)).ToList();

    /// <summary>The line filter of one stage (alternatives or-ed).</summary>
    public static LineFilter BuildLineFilter(LineFilterExpr lf)
    {
        LineFilter? result = null;
        foreach (var term in lf.Terms)
        {
            var f = BuildTerm(lf.Type, term);
            result = result is null ? f : LineFilter.Or(result, f);
        }
        return result ?? LineFilter.True;
    }

    private static LineFilter BuildTerm(LineFilterType type, LineFilterTerm term)
    {
        LineFilter f;
        string? error = null;
        var positive = type is LineFilterType.Equal or LineFilterType.Regexp or LineFilterType.Pattern;
        if (term.Ip)
        {
            if (!LineFilter.TryIp(term.Value, out f, out error))
            {
                throw new QueryException(LokiErrors.InvalidIpFilter(error));
            }
            return positive ? f : LineFilter.Not(f);
        }
        switch (type)
        {
            case LineFilterType.Equal:
                return LineFilter.Contains(term.Value);
            case LineFilterType.NotEqual:
                return LineFilter.NotContains(term.Value);
            case LineFilterType.Regexp when LineFilter.TryRegex(term.Value, out f, out error):
                return f;
            case LineFilterType.NotRegexp when LineFilter.TryNotRegex(term.Value, out f, out error):
                return f;
            case LineFilterType.Pattern or LineFilterType.NotPattern when LineFilter.TryPattern(term.Value, out f, out error):
                return positive ? f : LineFilter.Not(f);
            default:
                throw new QueryException(LokiErrors.InvalidLineFilter(error));
        }
    }

    /// <summary>The LogQL.Log label filter for an AST label filter.</summary>
    public static LogFilter BuildLabelFilter(SyntaxFilter filter) => filter switch
    {
        StringLabelFilter s => LogFilter.String(s.Matcher),
        NumericLabelFilter n => LogFilter.Numeric(n.Name, ToComparison(n.Op), n.Value),
        DurationLabelFilter d => LogFilter.Duration(d.Name, ToComparison(d.Op), d.ValueNs),
        BytesLabelFilter b => LogFilter.Bytes(b.Name, ToComparison(b.Op), b.Value),
        IpLabelFilter ip => LogFilter.TryIp(ip.Name, !ip.Negate, ip.Pattern, out var f, out var err) ? f : throw new QueryException(LokiErrors.InvalidIpFilter(err)),
        BinaryLabelFilter bin => bin.And
            ? LogFilter.And(BuildLabelFilter(bin.Left), BuildLabelFilter(bin.Right))
            : LogFilter.Or(BuildLabelFilter(bin.Left), BuildLabelFilter(bin.Right)),
        _ => throw new QueryException($"unsupported label filter {filter}"),
    };

    private static ComparisonOperator ToComparison(LabelFilterOp op) => op switch
    {
        LabelFilterOp.Equal => ComparisonOperator.Equal,
        LabelFilterOp.NotEqual => ComparisonOperator.NotEqual,
        LabelFilterOp.GreaterThan => ComparisonOperator.Greater,
        LabelFilterOp.GreaterThanOrEqual => ComparisonOperator.GreaterOrEqual,
        LabelFilterOp.LesserThan => ComparisonOperator.Less,
        _ => ComparisonOperator.LessOrEqual,
    };
}
