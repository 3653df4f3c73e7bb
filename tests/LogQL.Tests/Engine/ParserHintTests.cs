using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>Parser hints are planned only where the outer sum makes other labels irrelevant, and never change results.</summary>
public sealed class ParserHintTests
{
    private const long S = 1_000_000_000;

    private static KeyValuePair<string, string>[] L(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToArray();

    // Every line has its own n, so series split per line unless n is dropped.
    private static readonly InputStream[] s_streams =
    [
        new(L("app", "a", "pod", "1"), Enumerable.Range(1, 10).Select(i => new InputEntry(i * S, $"level=info n={i} status={(i % 2 == 0 ? 500 : 200)}")).ToList()),
        new(L("app", "a", "pod", "2"), Enumerable.Range(1, 5).Select(i => new InputEntry(2 * i * S, $"level=warn n={i} status=503")).ToList()),
        new(L("app", "j"), Enumerable.Range(1, 4).Select(i => new InputEntry(i * S, $"{{\"level\":\"warn\",\"n\":{i},\"status\":{(i == 1 ? 200 : 503)}}}")).ToList()),
    ];

    [Theory]
    [InlineData("sum by (level) (count_over_time({app=\"a\"}[1m]))", "level")]
    [InlineData("sum by (pod, level, pod) (rate({app=\"a\"} | logfmt [1m]))", "level,pod")]
    [InlineData("sum(bytes_over_time({app=\"a\"}[1m]))", "")]
    [InlineData("sum by (level) (bytes_rate({app=\"a\"}[1m] offset 5m))", "level")]
    [InlineData("sum without (n) (count_over_time({app=\"a\"} | logfmt [1m]))", null)]
    [InlineData("max by (level) (count_over_time({app=\"a\"}[1m]))", null)]
    [InlineData("count_over_time({app=\"a\"}[1m])", null)]
    [InlineData("sum by (level) (sum_over_time({app=\"a\"} | logfmt | unwrap n [1m]))", null)]
    [InlineData("sum by (level) (rate_counter({app=\"a\"} | logfmt | unwrap n [1m]))", null)]
    [InlineData("sum by (level) (rate({app=\"a\"} | logfmt | unwrap n [1m]))", null)]
    public void Series_grouping_is_pushed_down_only_for_integral_sums_under_sum_by(string query, string? expected)
    {
        var (range, parent) = Find(LogQLParser.Parse(query), null);
        var names = ParserHintPlanner.SeriesGrouping(range!, parent);
        Assert.Equal(expected, names is null ? null : string.Join(",", names));
    }

    [Theory]
    [InlineData("sum(count_over_time({app=\"a\"} | logfmt | status >= 500 [1m]))", "status")]
    [InlineData("sum by (level) (rate({app=\"a\"} | json [1m]))", "level")]
    [InlineData("sum by (level) (count_over_time({app=\"a\"} | logfmt | drop n | status=~\"5..\" or pod=\"2\" [1m]))", "level,n,pod,status")]
    [InlineData("avg_over_time({app=\"a\"} | logfmt | unwrap n | __error__=\"\" [1m]) by (level)", "__error__,level,n")]
    [InlineData("max by (level) (max_over_time({app=\"a\"} | logfmt | unwrap bytes(n) [1m]) by (pod))", "n,pod")]
    [InlineData("avg by (level) (count_over_time({app=\"a\"} | logfmt [1m]))", null)]
    [InlineData("count_over_time({app=\"a\"} | logfmt [1m])", null)]
    [InlineData("sum without (n) (count_over_time({app=\"a\"} | logfmt [1m]))", null)]
    [InlineData("sum(count_over_time({app=\"a\"} | logfmt | line_format \"{{.n}}\" [1m]))", null)]
    [InlineData("sum(count_over_time({app=\"a\"} | logfmt n=\"n\" [1m]))", null)]
    [InlineData("sum(count_over_time({app=\"a\"} | regexp \"(?P<n>\\\\d+)\" [1m]))", null)]
    public void Planner_HintsOnlyUnderSumOrRangeGrouping(string query, string? expected)
    {
        var (range, parent) = Find(LogQLParser.Parse(query), null);
        var names = ParserHintPlanner.RequiredLabels(range!, parent);
        Assert.Equal(expected, names is null ? null : string.Join(",", names.Order(StringComparer.Ordinal)));
    }

    private static (RangeAggregationExpr?, VectorAggregationExpr?) Find(Expr e, VectorAggregationExpr? parent) => e switch
    {
        RangeAggregationExpr r => (r, parent),
        VectorAggregationExpr v => Find(v.Left, v),
        _ => (null, null),
    };

    private static async Task<string[]> Vector(string query)
    {
        var engine = new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions());
        var r = await engine.ExecuteAsync(new QueryParams { Query = query, StartNs = 10 * S, EndNs = 10 * S, Instant = true }, CancellationToken.None);
        return r.Vector!.Select(v => $"{v.LabelsString} {v.Value}").ToArray();
    }

    [Fact]
    public async Task SumWithHints_CountsEveryMatchingLine()
    {
        Assert.Equal(["{} 10"], await Vector("sum(count_over_time({app=\"a\"} | logfmt | status >= 500 or level=\"warn\" [10s]))"));
        Assert.Equal(["{level=\"warn\"} 3"], await Vector("sum by (level) (count_over_time({app=\"j\"} | json | status >= 500 [10s]))"));
    }

    [Fact]
    public async Task AvgWithoutHints_KeepsPerLineSeries()
    {
        // Each line is its own series because of n: hinting n away would merge them and give 10 and 5.
        Assert.Equal(["{level=\"info\"} 1", "{level=\"warn\"} 1"],
            await Vector("avg by (level) (count_over_time({app=\"a\"} | logfmt [10s]))"));
    }
}
