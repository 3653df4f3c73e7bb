using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Tests.Syntax;

public sealed class ParserTests
{
    public static TheoryData<string, string> ValidQueries()
    {
        var data = new TheoryData<string, string>();
        foreach (var (q, p) in QueryCorpus.Valid)
        {
            data.Add(q, p);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void Parse_ValidQuery_PrintsCanonicalForm(string query, string printed)
    {
        var expr = LogQLParser.Parse(query);
        Assert.Equal(printed, expr.ToString());
    }

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void Parse_PrintedForm_ReparsesToEqualTree(string query, string printed)
    {
        var expr = LogQLParser.Parse(query);
        var again = LogQLParser.Parse(expr.ToString());
        Assert.Equal(expr, again);
        Assert.Equal(printed, again.ToString());
    }

    public static TheoryData<string, string> InvalidQueries() => new()
    {
        { "{}", "parse error : " + Validation.ErrAtLeastOneEqualityMatcherRequired },
        { "{app=~\".*\", env!=\"x\"}", "parse error : " + Validation.ErrAtLeastOneEqualityMatcherRequired },
        { "rate({app=~\".*\"}[1m])", "parse error : " + Validation.ErrAtLeastOneEqualityMatcherRequired },
        { "sum_over_time({app=\"foo\"}[5m])", "parse error : invalid aggregation sum_over_time without unwrap" },
        { "count_over_time({app=\"foo\"} | unwrap x [5m])", "parse error : invalid aggregation count_over_time with unwrap" },
        { "count_over_time({app=\"foo\"}[5m]) by (x)", "parse error : grouping not allowed for count_over_time aggregation" },
        { "rate({app=\"foo\"}[5m]) without (x)", "parse error : grouping not allowed for rate aggregation" },
        { "topk(rate({a=\"b\"}[1m]))", "parse error : parameter required for operation topk" },
        { "topk(0, rate({a=\"b\"}[1m]))", "parse error : invalid parameter (must be greater than 0) topk(0" },
        { "topk(1.5, rate({a=\"b\"}[1m]))", "parse error : invalid parameter topk(1.5," },
        { "sum(2, rate({a=\"b\"}[1m]))", "parse error : unsupported parameter for operation sum(2," },
        { "quantile_over_time({a=\"b\"} | unwrap x [1m])", "parse error : parameter required for operation quantile_over_time" },
        { "rate(0.5, {a=\"b\"}[1m])", "parse error : parameter 0.5 not supported for operation rate" },
        { "sort by (a) (rate({a=\"b\"}[1m]))", "parse error : sort and sort_desc doesn't allow grouping by " },
        { "{app=\"foo\"} + 1", "parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr" },
        { "1 + {app=\"foo\"} |= \"x\"", "parse error : unexpected type for right leg of binary operation (+): *syntax.PipelineExpr" },
        { "rate({app=\"foo\"}[5m]) or 1", "parse error : unexpected literal for right leg of logical/set binary operation (or): 1.000000" },
        { "{app=\"foo\"", "parse error at line 1, col 10: syntax error: unexpected $end" },
        { "", "parse error : syntax error: unexpected $end" },
        { "rate({app=\"foo\"}[5minutes])", "parse error at line 1, col 17: not a valid duration string: \"5minutes\"" },
        { "rate({app=\"foo\"}[5m)", "parse error at line 1, col 17: missing closing ']' in duration" },
        { "{app=\"foo\"} |= \"x", "parse error at line 1, col 16: literal not terminated" },
        { "{app=\"foo\"} |= \"\\q\"", "parse error at line 1, col 16: invalid char escape" },
        { "{app=\"foo\"} | unwrap x", "parse error at line 1, col 15: syntax error: unexpected unwrap" },
        { "{app=\"foo\"} |= 3", "parse error at line 1, col 16: syntax error: unexpected NUMBER, expecting STRING or ip" },
        { "{app=\"foo\"}\n| json\n| foo bar", "parse error at line 3, col 7: syntax error: unexpected IDENTIFIER" },
        { "{app=\"foo\"} ! \"x\"", "parse error at line 1, col 13: syntax error: unexpected IDENTIFIER" },
        { "{app=\"foo\"}[5m]", "parse error at line 1, col 12: syntax error: unexpected RANGE" },
        { "sum(rate({app=\"foo\"}[5m])) by (a", "parse error at line 1, col 32: syntax error: unexpected $end, expecting , or )" },
        { "sum({app=\"foo\"})", "parse error at line 1, col 16: syntax error: unexpected )" },
        { "{app=\"foo\"} | regexp \"(\\\\w+)\"", "parse error : invalid regexp parser: at least one named capture must be supplied" },
        { "{app=\"foo\"} | pattern \"<_> x\"", "parse error : invalid pattern parser: at least one capture is required" },
        { "{json=\"x\"}", "parse error at line 1, col 2: syntax error: unexpected json, expecting IDENTIFIER" },
        { "vector(\"x\")", "parse error at line 1, col 8: syntax error: unexpected STRING, expecting NUMBER" },
    };

    [Theory]
    [MemberData(nameof(InvalidQueries))]
    public void Parse_InvalidQuery_FailsWithLokiMessage(string query, string message)
    {
        var ex = Assert.Throws<ParseException>(() => LogQLParser.Parse(query));
        Assert.Equal(message, ex.Message);
        Assert.False(LogQLParser.TryParse(query, out var expr, out var error));
        Assert.Null(expr);
        Assert.Equal(message, error!.Message);
    }

    [Fact]
    public void Parse_ErrorPosition_IsExposedAsLineAndColumn()
    {
        var ex = Assert.Throws<ParseException>(() => LogQLParser.Parse("{app=\"foo\"}\n  | json |"));
        Assert.Equal(2, ex.Line);
        Assert.Equal(10, ex.Column);
        Assert.Equal("syntax error: unexpected $end", ex.Error);
    }

    [Fact]
    public void Parse_InputAtSizeLimit_IsRejected()
    {
        var query = "{app=\"" + new string('a', LogQLParser.MaxInputSize) + "\"}";
        var ex = Assert.Throws<ParseException>(() => LogQLParser.Parse(query));
        Assert.Equal($"parse error : input size too long ({query.Length} > 5120)", ex.Message);
    }

    [Fact]
    public void Parse_DeeplyNestedParentheses_FailsWithoutStackOverflow()
    {
        var query = new string('(', 2000) + "1" + new string(')', 2000);
        var ex = Assert.Throws<ParseException>(() => LogQLParser.Parse(query));
        Assert.Contains("nested deeper than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SelectorWithPipeline_ExposesMatchersStagesAndQueryKind()
    {
        var expr = (LogSelectorExpr)LogQLParser.Parse("{app=\"foo\", env=~\"prod|dev\"} |= \"error\" | json | line_format \"x\" |= \"late\"");
        Assert.True(expr.IsLogQuery);
        Assert.False(expr.IsMetricQuery);
        Assert.Equal(2, expr.Matchers.Count);
        Assert.True(expr.Matchers[1].Matches("dev"));
        Assert.False(expr.Matchers[1].Matches("development"));
        Assert.Equal(4, expr.Stages.Count);
        Assert.Equal(["error"], expr.RequiredLiterals);
        Assert.True(expr.HasFilter);
    }

    [Fact]
    public void Walk_VisitsEveryNodeDepthFirst()
    {
        var expr = LogQLParser.Parse("sum(rate({a=\"b\"} |= \"x\"[1m])) / count_over_time({c=\"d\"}[1m])");
        var kinds = new List<string>();
        expr.Walk(e => kinds.Add(e.GetType().Name));
        Assert.Equal(
            ["BinOpExpr", "VectorAggregationExpr", "RangeAggregationExpr", "LogRangeExpr", "PipelineExpr", "MatchersExpr", "LineFilterExpr",
             "RangeAggregationExpr", "LogRangeExpr", "MatchersExpr"],
            kinds);
        Assert.True(expr.IsMetricQuery);
    }

    [Fact]
    public void ParseMatchers_BareSelector_ReturnsMatchers()
    {
        var matchers = LogQLParser.ParseMatchers("{a=\"b\", c!~\"d|e\"}");
        Assert.Equal(LabelMatcher.Create(LabelMatchType.NotRegexp, "c", "d|e"), matchers[1]);
        Assert.False(matchers[1].Matches("d"));
        Assert.True(matchers[1].Matches(""));
    }
}
