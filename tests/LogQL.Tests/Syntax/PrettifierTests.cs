using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Tests.Syntax;

public sealed class PrettifierTests
{
    private static string Pretty(string query) => LogQLPrettifier.Prettify(LogQLParser.Parse(query));

    // Long queries that exercise every split rule; each must parse back to the same expression.
    private static readonly string[] s_long =
    [
        "{app=\"checkout-service\", namespace=\"production\"} |= \"error\" != \"timeout\" | json | level=\"error\" | line_format \"{{.msg}}\"",
        "sum by (namespace, app) (rate({app=\"checkout-service\", namespace=\"production\", cluster=\"eu-west-1\"} |= \"error\" [5m]))",
        "quantile_over_time(0.99, {app=\"checkout-service\", namespace=\"production\"} | logfmt | unwrap duration(took) | __error__=\"\" [5m] offset 1h) by (app)",
        "sum(rate({app=\"checkout-service\", namespace=\"production\"} |= \"error\" [5m])) / sum(rate({app=\"checkout-service\", namespace=\"production\"}[5m]))",
        "(sum(rate({app=\"checkout-service\", namespace=\"production\"} |= \"a\" [5m])) + sum(rate({app=\"checkout-service\", namespace=\"production\"} |= \"b\" [5m]))) * 2",
        "topk(10, sum by (path) (count_over_time({app=\"checkout-service\", namespace=\"production\"} | pattern \"<_> <path> <_>\" [1h])))",
        "label_replace(rate({app=\"checkout-service\", namespace=\"production\", cluster=\"eu-west-1\", job=\"x\"}[5m]), \"dst\", \"$1\", \"app\", \"(.*)-service\")",
    ];

    [Theory]
    [InlineData("{app=\"foo\"} | json | level=\"error\"")]
    [InlineData("sum by (a,b) (rate({app=\"foo\"}[5m]))")]
    [InlineData("count_over_time({app=\"foo\"} |= \"x\" [1h30m])")]
    public void ShortQuery_IsTheOneLineCanonicalForm(string query)
    {
        var expr = LogQLParser.Parse(query);
        Assert.Equal(expr.ToString(), LogQLPrettifier.Prettify(expr));
    }

    [Fact]
    public void LongPipeline_PutsEachStageOnItsOwnLine_AndKeepsAFittingFilterChainTogether()
    {
        Assert.Equal(
            """
            {app="checkout-service", namespace="production"}
              |= "error" != "timeout"
              | json
              | level="error"
              | line_format "{{.msg}}"
            """.ReplaceLineEndings("\n"), Pretty(s_long[0]));
    }

    [Fact]
    public void LongFilterChain_PutsEachFilterOnItsOwnLine()
    {
        var words = string.Join(" ", Enumerable.Range(0, 8).Select(i => $"!= \"some-long-excluded-word-{i}\""));
        Assert.Equal(
            "{app=\"a\"}\n" + string.Join("\n", Enumerable.Range(0, 8).Select(i => $"  != \"some-long-excluded-word-{i}\"")),
            Pretty("{app=\"a\"} " + words));
    }

    [Fact]
    public void LongVectorAggregation_SplitsArgumentsWithGroupingBeforeParenthesis()
    {
        Assert.Equal(
            """
            sum by (namespace, app)(
              rate({app="checkout-service", namespace="production", cluster="eu-west-1"} |= "error"[5m])
            )
            """.ReplaceLineEndings("\n"), Pretty(s_long[1]));
    }

    [Fact]
    public void LongRangeAggregation_PutsParameterUnwrapAndFiltersOnTheirOwnLines()
    {
        Assert.Equal(
            """
            quantile_over_time(
              0.99,
              {app="checkout-service", namespace="production"} | logfmt
                | unwrap duration(took)
                | __error__="" [5m] offset 1h
            ) by (app)
            """.ReplaceLineEndings("\n"), Pretty(s_long[2]));
    }

    [Fact]
    public void LongBinaryOperation_PutsOperatorBetweenIndentedOperands()
    {
        Assert.Equal(
            """
              sum(rate({app="checkout-service", namespace="production"} |= "error"[5m]))
            /
              sum(rate({app="checkout-service", namespace="production"}[5m]))
            """.ReplaceLineEndings("\n"), Pretty(s_long[3]));
    }

    [Fact]
    public void NestedSplitBinaryOperation_KeepsItsParentheses()
    {
        Assert.Equal(
            """
              (
                  sum(rate({app="checkout-service", namespace="production"} |= "a"[5m]))
                +
                  sum(rate({app="checkout-service", namespace="production"} |= "b"[5m]))
              )
            *
              2
            """.ReplaceLineEndings("\n"), Pretty(s_long[4]));
    }

    [Fact]
    public void Topk_PutsParameterOnItsOwnLine_AndSplitsALongArgumentAgain()
    {
        Assert.Equal(
            """
            topk(
              10,
              sum by (path)(
                count_over_time({app="checkout-service", namespace="production"} | pattern "<_> <path> <_>"[1h])
              )
            )
            """.ReplaceLineEndings("\n"), Pretty(s_long[5]));
    }

    [Fact]
    public void LabelReplace_PutsEachArgumentOnItsOwnLine()
    {
        Assert.Equal(
            """
            label_replace(
              rate({app="checkout-service", namespace="production", cluster="eu-west-1", job="x"}[5m]),
              "dst",
              "$1",
              "app",
              "(.*)-service"
            )
            """.ReplaceLineEndings("\n"), Pretty(s_long[6]));
    }

    [Fact]
    public void PrettifiedQuery_ParsesBackToTheSameExpression()
    {
        foreach (var query in s_long.Concat(QueryCorpus.ValidQueries))
        {
            var expr = LogQLParser.Parse(query);
            Assert.Equal(expr.ToString(), LogQLParser.Parse(LogQLPrettifier.Prettify(expr)).ToString());
        }
    }
}
