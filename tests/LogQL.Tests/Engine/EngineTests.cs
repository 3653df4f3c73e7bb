using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.LogQL.Tests.Engine;

public sealed class EngineTests
{
    private const long S = 1_000_000_000;

    private static KeyValuePair<string, string>[] L(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToArray();

    // pod 1: one line per second 1..10; pod 2: even seconds; app b: non-JSON lines; app c: JSON with latency.
    private static readonly InputStream[] s_streams =
    [
        new(L("app", "a", "pod", "1"), Enumerable.Range(1, 10).Select(i => new InputEntry(i * S, $"level=info n={i}")).ToList()),
        new(L("app", "a", "pod", "2"), Enumerable.Range(1, 5).Select(i => new InputEntry(2 * i * S, $"level=warn n={2 * i}")).ToList()),
        new(L("app", "b"), [new InputEntry(3 * S, "not json")]),
        new(L("app", "c", "level", "x"),
        [
            new InputEntry(1 * S, "{\"level\":\"error\",\"latency\":\"1\"}"),
            new InputEntry(2 * S, "{\"level\":\"error\",\"latency\":\"2\"}"),
            new InputEntry(3 * S, "{\"level\":\"info\",\"latency\":\"3\"}", L("trace", "t1")),
            new InputEntry(4 * S, "{\"level\":\"info\",\"latency\":\"4\"}", L("trace", "t1")),
        ]),
    ];

    private static Task<QueryResult> Run(string query, long start, long end = -1, long step = 0, bool instant = false, int maxSeries = 500,
        Direction direction = Direction.Backward, int limit = 100)
    {
        var engine = new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions { MaxQuerySeries = maxSeries });
        return engine.ExecuteAsync(new QueryParams
        {
            Query = query,
            StartNs = start,
            EndNs = end < 0 ? start : end,
            StepNs = step,
            Instant = instant,
            Direction = direction,
            Limit = limit,
        }, CancellationToken.None);
    }

    private static async Task<string[]> Vector(string query, long t)
    {
        var r = await Run(query, t, instant: true);
        Assert.Equal("vector", r.ResultType);
        return r.Vector!.Select(v => $"{v.LabelsString} {v.Value}").ToArray();
    }

    [Fact]
    public async Task CountOverTime_Window_IsLeftOpenRightClosed()
    {
        // (3s, 5s]: pod 1 has 4s and 5s, pod 2 has 4s.
        Assert.Equal(["{app=\"a\", pod=\"1\"} 2", "{app=\"a\", pod=\"2\"} 1"], await Vector("count_over_time({app=\"a\"}[2s])", 5 * S));
    }

    [Fact]
    public async Task Rate_IsCountOverRangeSeconds_WithoutExtrapolation()
    {
        Assert.Equal(["{app=\"a\", pod=\"1\"} 1"], await Vector("rate({pod=\"1\"}[5s])", 10 * S));
        // (1s, 9s] holds 2s, 4s, 6s and 8s: 4 lines over 8 seconds.
        Assert.Equal(["{app=\"a\", pod=\"2\"} 0.5"], await Vector("rate({pod=\"2\"}[8s])", 9 * S));
    }

    [Fact]
    public async Task RangeQuery_StepsIncludeEnd()
    {
        var r = await Run("count_over_time({pod=\"2\"}[2s])", 2 * S, 10 * S, 4 * S);
        Assert.Equal("matrix", r.ResultType);
        var series = Assert.Single(r.Matrix!);
        Assert.Equal([new SamplePoint(2 * S, 1), new SamplePoint(6 * S, 1), new SamplePoint(10 * S, 1)], series.Points);
    }

    [Fact]
    public async Task Offset_ShiftsTheWindowBack()
    {
        Assert.Equal(["{app=\"a\", pod=\"1\"} 2"], await Vector("count_over_time({pod=\"1\"}[2s] offset 5s)", 10 * S));
    }

    [Fact]
    public async Task Topk_KeepsHighestPerStep()
    {
        Assert.Equal(["{app=\"a\", pod=\"1\"} 4"], await Vector("topk(1, count_over_time({app=\"a\"}[4s]))", 10 * S));
        var r = await Run("topk(1, count_over_time({app=\"a\"}[1s]))", 1 * S, 2 * S, 1 * S);
        // At 1s only pod 1 has a line; at 2s both have one and the tie goes to the first by labels.
        Assert.Equal(["{app=\"a\", pod=\"1\"}"], r.Matrix!.Select(s => s.LabelsString));
        Assert.Equal(2, r.Matrix![0].Points.Count);
    }

    [Fact]
    public async Task SumBy_GroupsSeries()
    {
        Assert.Equal(["{app=\"a\"} 6"], await Vector("sum by (app) (count_over_time({app=\"a\"}[4s]))", 10 * S));
        Assert.Equal(["{} 6"], await Vector("sum(count_over_time({app=\"a\"}[4s]))", 10 * S));
    }

    [Fact]
    public async Task BinOp_OnMatching_CombinesSeriesAndKeepsMatchingLabels()
    {
        Assert.Equal(["{app=\"a\"} 2"], await Vector("count_over_time({pod=\"1\"}[4s]) / on (app) count_over_time({pod=\"2\"}[4s])", 10 * S));
        Assert.Equal(["{app=\"a\", pod=\"1\"} 2"], await Vector("count_over_time({pod=\"1\"}[4s]) / ignoring (pod) group_left count_over_time({pod=\"2\"}[4s])", 10 * S));
    }

    [Fact]
    public async Task BinOp_ManyToManyMatch_FailsWithLokiMessage()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Run("count_over_time({pod=\"1\"}[4s]) / on (app) count_over_time({app=\"a\"}[4s])", 10 * S, instant: true));
        Assert.Equal("found duplicate series on the right hand-side;many-to-many matching not allowed: matching labels must be unique on one side", ex.Message);
    }

    [Fact]
    public async Task Comparison_FiltersUnlessBool()
    {
        Assert.Equal(["{app=\"a\", pod=\"1\"} 4"], await Vector("count_over_time({app=\"a\"}[4s]) > 3", 10 * S));
        Assert.Equal(["{app=\"a\", pod=\"1\"} 1", "{app=\"a\", pod=\"2\"} 0"], await Vector("count_over_time({app=\"a\"}[4s]) > bool 3", 10 * S));
        Assert.Equal(["{app=\"a\", pod=\"2\"} 8"], await Vector("10 - count_over_time({app=\"a\"}[4s]) > 7", 10 * S));
    }

    [Fact]
    public async Task AbsentOverTime_ReturnsOneWithEqualityMatcherLabels()
    {
        Assert.Equal(["{app=\"a\", pod=\"3\"} 1"], await Vector("absent_over_time({app=\"a\", pod=\"3\", x=~\".+\"}[5s])", 10 * S));
        Assert.Empty(await Vector("absent_over_time({app=\"a\"}[5s])", 10 * S));
    }

    [Fact]
    public async Task MetricQuery_WithUnfilteredError_FailsWithPipelineError()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Run("count_over_time({app=\"b\"} | json [10s])", 10 * S, instant: true));
        Assert.StartsWith("pipeline error: 'JSONParserErr' for series: '{__error__=\"JSONParserErr\"", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Vector("count_over_time({app=\"b\"} | json | __error__=\"\" [10s])", 10 * S));
    }

    [Fact]
    public async Task ExtractedLabels_AndMetadata_BecomeSeriesLabels()
    {
        Assert.Equal(["{level_extracted=\"error\"} 2", "{level_extracted=\"info\"} 2"],
            await Vector("sum by (level_extracted) (count_over_time({app=\"c\"} | json [10s]))", 10 * S));
        Assert.Equal(["{} 2", "{trace=\"t1\"} 2"], await Vector("sum by (trace) (count_over_time({app=\"c\"}[10s]))", 10 * S));
    }

    [Fact]
    public async Task Unwrap_SumAndQuantile_UseLabelValues()
    {
        Assert.Equal(["{app=\"c\", level=\"x\", level_extracted=\"error\"} 3", "{app=\"c\", level=\"x\", level_extracted=\"info\", trace=\"t1\"} 7"],
            await Vector("sum_over_time({app=\"c\"} | json | unwrap latency [10s])", 10 * S));
        Assert.Equal(["{} 2.5"], await Vector("quantile_over_time(0.5, {app=\"c\"} | json | unwrap latency [10s]) by ()", 10 * S));
        Assert.Equal(["{} 1.25"], await Vector("stdvar_over_time({app=\"c\"} | json | unwrap latency [10s]) by ()", 10 * S));
    }

    [Fact]
    public async Task SeriesLimit_IsEnforcedWithLokiMessage()
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Run("count_over_time({app=\"a\"}[10s])", 10 * S, instant: true, maxSeries: 1));
        Assert.Equal("maximum number of series (1) reached for a single query; consider reducing query cardinality by adding more filters or using aggregations", ex.Message);
    }

    [Fact]
    public async Task InstantLiteral_IsScalar_AndVectorIsOneUnlabelledSample()
    {
        var r = await Run("1 + 2", 10 * S, instant: true);
        Assert.Equal("scalar", r.ResultType);
        Assert.Equal(new SamplePoint(10 * S, 3), r.Scalar);
        Assert.Equal(["{} 3"], await Vector("vector(3)", 10 * S));
    }

    [Fact]
    public async Task LogQuery_ForwardLimit_ReturnsOldestEntriesAcrossStreams()
    {
        var r = await Run("{app=\"a\"} |= \"n=\"", 0, 20 * S, direction: Direction.Forward, limit: 3);
        Assert.Equal("streams", r.ResultType);
        Assert.Equal(["{app=\"a\", pod=\"1\"}", "{app=\"a\", pod=\"2\"}"], r.Streams!.Select(s => s.LabelsString));
        Assert.Equal([1 * S, 2 * S], r.Streams![0].Entries.Select(e => e.TimestampNs));
        Assert.Equal([2 * S], r.Streams![1].Entries.Select(e => e.TimestampNs));
    }

    [Fact]
    public async Task LogQuery_BackwardWithParser_ReturnsNewestWithParsedLabels()
    {
        // [0s, 10s) excludes 10s; backward with limit 1 keeps only the newest (n=9).
        var r = await Run("{pod=\"1\"} | logfmt | n > 7", 0, 10 * S, limit: 1);
        var stream = Assert.Single(r.Streams!);
        Assert.Equal("{app=\"a\", level=\"info\", n=\"9\", pod=\"1\"}", stream.LabelsString);
        var entry = Assert.Single(stream.Entries);
        Assert.Equal("level=info n=9", entry.Line);
        Assert.Equal(["level", "n"], entry.Parsed.Select(p => p.Key));
    }
}
