using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>Queries Loki refuses, with Loki's texts, and approx_topk's rules.</summary>
public sealed class ErrorSemanticsTests
{
    private const long S = 1_000_000_000;

    private static readonly InputStream[] s_streams =
    [
        new([new("app", "a"), new("pod", "1")], Enumerable.Range(1, 6).Select(i => new InputEntry(i * S, "addr=10.0.0.1 n=1")).ToList()),
        new([new("app", "a"), new("pod", "2")], Enumerable.Range(1, 3).Select(i => new InputEntry(i * S, "addr=10.0.0.2 n=2")).ToList()),
        new([new("app", "b"), new("pod", "1")], Enumerable.Range(1, 2).Select(i => new InputEntry(i * S, "addr=10.0.0.3 n=3")).ToList()),
    ];

    private static Task<QueryResult> RunAsync(string query, bool instant = true) =>
        new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions()).ExecuteAsync(
            new QueryParams { Query = query, StartNs = 10 * S, EndNs = 10 * S, StepNs = S, Instant = instant }, CancellationToken.None);

    [Theory]
    [InlineData("count_over_time({app=\"a\"} | logfmt | addr =~ ip(\"10.0.0.0/8\") [10s])", "syntax error: unexpected ip")]
    [InlineData("count_over_time({app=\"a\"} | logfmt | addr !~ ip(\"10.0.0.0/8\") [10s])", "syntax error: unexpected ip")]
    [InlineData("count_over_time({app=\"a\"} |~ ip(\"10.0.0.0/8\") or \"x\" [10s])", "ip: invalid operation")]
    [InlineData("count_over_time({app=\"a\"} |~ \"x\" or ip(\"10.0.0.0/8\") [10s])", "ip: invalid operation")]
    [InlineData("count_over_time({app=\"a\"} |> \"<verb> /api\" [10s])", "named captures are not allowed")]
    [InlineData("count_over_time({app=\"a\"} | regexp `(?P<x>.)(?P<x>.)` [10s])", "invalid regexp parser: duplicate extracted label name 'x'")]
    [InlineData("approx_topk(count_over_time({app=\"a\"}[10s]))", "parameter required for operation approx_topk")]
    [InlineData("approx_topk(1.5, count_over_time({app=\"a\"}[10s]))", "invalid parameter approx_topk(1.5,")]
    [InlineData("approx_topk(1, count_over_time({app=\"a\"}[10s])) by (pod)", "grouping not allowed for approx_topk aggregation")]
    public void Refused_at_parse_time_with_lokis_text(string query, string text)
    {
        var e = Assert.Throws<ParseException>(() => LogQLParser.Parse(query));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approx_topk_answers_instant_queries_as_topk_and_refuses_ranges()
    {
        var r = await RunAsync("approx_topk(2, sum by (app, pod) (count_over_time({app=~\"a|b\"}[10s])))");
        Assert.Equal(["{app=\"a\", pod=\"1\"} 6", "{app=\"a\", pod=\"2\"} 3"], r.Vector!.Select(v => $"{v.LabelsString} {v.Value}").Order(StringComparer.Ordinal));
        var e = await Assert.ThrowsAsync<QueryException>(() => RunAsync("approx_topk(2, count_over_time({app=\"a\"}[10s]))", instant: false));
        Assert.Contains("only supported on instant queries", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sum by (app) (count_over_time({app=\"a\"}[10s])) > bool on (app) group_left count_over_time({app=\"a\"}[10s])", "right")]
    [InlineData("count_over_time({app=\"a\"}[10s]) > bool on (app) group_right sum by (app) (count_over_time({app=\"a\"}[10s]))", "left")]
    [InlineData("sum by (app) (count_over_time({app=\"a\"}[10s])) >= bool ignoring (pod) count_over_time({app=\"a\"}[10s])", "right")]
    public async Task Many_to_many_matching_fails_with_the_side_named(string query, string side)
    {
        var e = await Assert.ThrowsAsync<QueryException>(() => RunAsync(query));
        Assert.Equal($"found duplicate series on the {side} hand-side;many-to-many matching not allowed: matching labels must be unique on one side", e.Message);
    }
}
