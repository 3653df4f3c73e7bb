using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary><c>line_format</c> and <c>label_format</c> through the engine: log queries, metric queries and invalid templates.</summary>
public sealed class FormatStageTests
{
    private const long S = 1_000_000_000;

    private static KeyValuePair<string, string>[] L(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToArray();

    private static readonly InputStream[] s_streams =
    [
        new(L("app", "a"),
        [
            new InputEntry(1 * S, "level=info msg=started a=1 b=x"),
            new InputEntry(2 * S, "level=warn msg=slow a=2 b=y"),
            new InputEntry(3 * S, "level=info msg=done a=3 b=x"),
        ]),
        new(L("app", "m"),
        [
            new InputEntry(1 * S, "x=red"),
            new InputEntry(2 * S, "x=blue"),
            new InputEntry(3 * S, "x=red"),
            new InputEntry(4 * S, "y=1"),
        ]),
    ];

    private static Task<QueryResult> Run(string query, long start, long end, bool instant = false) =>
        new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions()).ExecuteAsync(new QueryParams
        {
            Query = query,
            StartNs = start,
            EndNs = end,
            Instant = instant,
            Direction = Direction.Forward,
            Limit = 100,
        }, CancellationToken.None);

    private static async Task<string[]> Lines(string query)
    {
        var r = await Run(query, 0, 10 * S);
        Assert.Equal("streams", r.ResultType);
        return r.Streams!.SelectMany(s => s.Entries.Select(e => $"{s.LabelsString} {e.Line}")).ToArray();
    }

    [Fact]
    public async Task LineFormat_RendersParsedLabels()
    {
        Assert.Equal(
        [
            "{a=\"1\", app=\"a\", b=\"x\", level=\"info\", msg=\"started\"} info: started",
            "{a=\"2\", app=\"a\", b=\"y\", level=\"warn\", msg=\"slow\"} warn: slow",
            "{a=\"3\", app=\"a\", b=\"x\", level=\"info\", msg=\"done\"} info: done",
        ], await Lines("{app=\"a\"} | logfmt | line_format \"{{.level}}: {{.msg}}\""));
    }

    [Fact]
    public async Task LineFormat_LineAndTimestampBuiltins()
    {
        Assert.Equal(
        [
            "{app=\"m\"} 1 [x=red]",
            "{app=\"m\"} 2 [x=blue]",
        ], await Lines("{app=\"m\"} |= \"x=\" | line_format \"{{ __timestamp__ | unixEpoch }} [{{ __line__ }}]\" |~ \"^[12] \""));
    }

    [Fact]
    public async Task LineFormat_LaterStagesSeeTheNewLine()
    {
        // The filter after line_format runs on the rendered text, not the original line.
        Assert.Equal(["{app=\"a\", b=\"y\"} y"],
            await Lines("{app=\"a\"} | logfmt | keep app, b | line_format \"{{.b}}\" |= \"y\""));
    }

    [Fact]
    public async Task LabelFormat_Template_AddsLabel()
    {
        Assert.Equal(
        [
            "{app=\"a\", new=\"1-x\"} level=info msg=started a=1 b=x",
            "{app=\"a\", new=\"2-y\"} level=warn msg=slow a=2 b=y",
            "{app=\"a\", new=\"3-x\"} level=info msg=done a=3 b=x",
        ], await Lines("{app=\"a\"} | logfmt | label_format new=\"{{.a}}-{{.b}}\" | keep app, new"));
    }

    [Fact]
    public async Task LabelFormat_Rename_MovesValueAndDropsSource()
    {
        Assert.Equal(
        [
            "{app=\"a\", dst=\"info\"} level=info msg=started a=1 b=x",
            "{app=\"a\", dst=\"info\"} level=info msg=done a=3 b=x",
            "{app=\"a\", dst=\"warn\"} level=warn msg=slow a=2 b=y",
        ], await Lines("{app=\"a\"} | logfmt | label_format dst=level | drop a, b, msg"));
    }

    [Fact]
    public async Task LabelFormat_CanRenameAStreamLabel()
    {
        Assert.Equal(["{service=\"m\"} y=1"], await Lines("{app=\"m\"} |= \"y=\" | label_format service=app"));
    }

    [Fact]
    public async Task LabelFormat_ExecutionError_SetsTemplateFormatErrAndKeepsLine()
    {
        var lines = await Lines("{app=\"m\"} |= \"y=\" | label_format bad=\"{{ div 1 0 }}\"");
        var line = Assert.Single(lines);
        Assert.StartsWith("{__error__=\"TemplateFormatErr\", __error_details__=\"", line, StringComparison.Ordinal);
        Assert.Contains("integer divide by zero", line, StringComparison.Ordinal);
        Assert.EndsWith(", app=\"m\"} y=1", line, StringComparison.Ordinal);
        // The error label can be filtered like any other pipeline error.
        Assert.Empty(await Lines("{app=\"m\"} |= \"y=\" | label_format bad=\"{{ div 1 0 }}\" | __error__=\"\""));
    }

    [Fact]
    public async Task MetricQuery_GroupsByLabelFromLabelFormat()
    {
        var r = await Run("sum by (new) (count_over_time({app=\"m\"} |= \"x=\" | logfmt | label_format new=\"{{.x}}\" [1m]))", 10 * S, 10 * S, instant: true);
        Assert.Equal("vector", r.ResultType);
        Assert.Equal(["{new=\"blue\"} 1", "{new=\"red\"} 2"], r.Vector!.Select(v => $"{v.LabelsString} {v.Value}"));
    }

    [Fact]
    public async Task MetricQuery_BytesAfterLineFormat_CountsRenderedLine()
    {
        var r = await Run("sum(bytes_over_time({app=\"m\"} | line_format \"ab\" [1m]))", 10 * S, 10 * S, instant: true);
        Assert.Equal(["{} 8"], r.Vector!.Select(v => $"{v.LabelsString} {v.Value}"));
    }

    [Theory]
    [InlineData("{app=\"a\"} | line_format \"{{.a\"", "parse error : invalid line template: ")]
    [InlineData("{app=\"a\"} | label_format x=\"{{ nosuchfunc }}\"", "parse error : invalid template for label 'x': ")]
    [InlineData("{app=\"a\"} | label_format x=a, x=b", "parse error : multiple label name 'x' not allowed in a single format operation")]
    [InlineData("{app=\"a\"} | label_format __error__=a", "parse error : __error__ cannot be formatted")]
    public void InvalidFormatStage_FailsAtParseTime(string query, string messagePrefix)
    {
        var ex = Assert.Throws<ParseException>(() => LogQLParser.Parse(query));
        Assert.StartsWith(messagePrefix, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidTemplate_InPrebuiltExpr_FailsWithQueryException()
    {
        // An AST built without the parser still gets the stage's error, as a query error rather than a crash.
        var selector = new PipelineExpr((MatchersExpr)LogQLParser.Parse("{app=\"a\"}"), ValueList.From<StageExpr>([new LineFormatExpr("{{.a")]));
        var ex = await Assert.ThrowsAsync<QueryException>(() => new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions())
            .ExecuteAsync(new QueryParams { Expr = selector, StartNs = 0, EndNs = 10 * S, Limit = 10 }, CancellationToken.None));
        Assert.StartsWith("invalid line template: ", ex.Message, StringComparison.Ordinal);
    }
}
