using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>
/// Numbers as Loki reads them: unwrapped values and label-filter operands through Go's strconv.ParseFloat (±Inf,
/// inf, NaN, exponents, hex floats), query literals through Loki's lexer, and Prometheus' aggregation rules over
/// ±Inf and NaN.
/// </summary>
public sealed class NumberSemanticsTests
{
    private const long S = 1_000_000_000;

    private static KeyValuePair<string, string>[] L(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToArray();

    private static InputStream Stream(string name, params string[] values) =>
        new(L("app", name), values.Select((v, i) => new InputEntry((i + 1) * S, $"v={v}")).ToList());

    private static readonly InputStream[] s_streams =
    [
        Stream("inf", "1", "+Inf"),
        Stream("neginf", "-Inf"),
        Stream("lowerinf", "inf"),
        Stream("infinity", "-infinity"),
        Stream("nan", "NaN"),
        Stream("exp", "1e3"),
        Stream("hex", "0x1p3"),
        Stream("hexfrac", "0x1.8p1"),
        Stream("plain", "2"),
        Stream("underscore", "1_000"),
        Stream("hexint", "0x1A"),
        Stream("octal", "0o17"),
        Stream("word", "abc"),
    ];

    private static async Task<QueryResult> RunAsync(string query, long t = 10 * S)
    {
        var engine = new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions());
        return await engine.ExecuteAsync(new QueryParams { Query = query, StartNs = t, EndNs = t, Instant = true }, CancellationToken.None);
    }

    private static async Task<double[]> ValuesAsync(string query) =>
        [.. (await RunAsync(query)).Vector!.Select(v => v.Value)];

    [Theory]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("neginf", double.NegativeInfinity)]
    [InlineData("lowerinf", double.PositiveInfinity)]
    [InlineData("infinity", double.NegativeInfinity)]
    [InlineData("exp", 1000)]
    [InlineData("hex", 8)]
    [InlineData("hexfrac", 3)]
    [InlineData("underscore", 1000)]
    public async Task Unwrap_reads_values_as_go_parsefloat(string app, double expected)
    {
        Assert.Equal(new double[] { expected }, await ValuesAsync($"max_over_time({{app=\"{app}\"}} | logfmt | unwrap v [10s])"));
    }

    [Fact]
    public async Task Unwrap_nan_is_a_number()
    {
        var v = Assert.Single(await ValuesAsync("max_over_time({app=\"nan\"} | logfmt | unwrap v [10s])"));
        Assert.True(double.IsNaN(v));
    }

    [Theory]
    [InlineData("hexint")]
    [InlineData("octal")]
    [InlineData("word")]
    public async Task Unwrap_of_a_non_float_marks_the_sample_with_SampleExtractionErr(string app)
    {
        var e = await Assert.ThrowsAsync<QueryException>(() => RunAsync($"max_over_time({{app=\"{app}\"}} | logfmt | unwrap v [10s])"));
        Assert.StartsWith("pipeline error: 'SampleExtractionErr'", e.Message, StringComparison.Ordinal);
        // Dropped with __error__="" they are not counted.
        Assert.Empty(await ValuesAsync($"max_over_time({{app=\"{app}\"}} | logfmt | unwrap v | __error__=\"\" [10s])"));
    }

    [Fact]
    public async Task Sum_over_time_with_infinity_is_infinite_and_with_both_infinities_nan()
    {
        Assert.Equal(new double[] { double.PositiveInfinity }, await ValuesAsync("sum_over_time({app=\"inf\"} | logfmt | unwrap v [10s])"));
        var v = Assert.Single(await ValuesAsync("sum(sum_over_time({app=~\"inf|neginf\"} | logfmt | unwrap v [10s]))"));
        Assert.True(double.IsNaN(v));
    }

    [Theory]
    [InlineData("| v > 0x1p2 | v < 0x1p4", new[] { "hex" })]
    [InlineData("| v >= 1e3", new[] { "exp", "inf", "lowerinf", "underscore" })]
    [InlineData("| v < -1e300", new[] { "infinity", "neginf" })]
    public async Task Label_filters_compare_go_floats(string filter, string[] apps)
    {
        var r = await RunAsync($"count by (app) (count_over_time({{app=~\".+\"}} | logfmt {filter} | __error__=\"\" [10s]))");
        Assert.Equal(apps, r.Vector!.Select(v => v.Labels.First(l => l.Key == "app").Value).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("1 + 0x1A")]
    [InlineData("1 + 0o17")]
    [InlineData("1 + 0b1010")]
    [InlineData("count_over_time({app=\"plain\"} | logfmt | v > 0x1A [10s])")]
    [InlineData("count_over_time({app=\"plain\"} | logfmt | v > 0o17 [10s])")]
    [InlineData("count_over_time({app=\"plain\"} | logfmt | v > 0b1010 [10s])")]
    public void Integer_literals_with_a_base_prefix_are_not_floats(string query)
    {
        var e = Assert.Throws<ParseException>(() => LogQLParser.Parse(query));
        Assert.Contains("unable to parse literal as a float", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 + 0x1p3", 9)]
    [InlineData("0x1.8p1 * 2", 6)]
    [InlineData("1e3 / 10", 100)]
    public async Task Hex_float_and_exponent_literals_parse(string query, double expected)
    {
        var r = await RunAsync(query);
        Assert.Equal(expected, r.Scalar!.Value.Value);
    }

    [Fact]
    public async Task Max_and_min_ignore_nan_unless_every_value_is_nan()
    {
        Assert.Equal(new double[] { 8.0 }, await ValuesAsync("max(max_over_time({app=~\"nan|hex\"} | logfmt | unwrap v [10s]))"));
        Assert.Equal(new double[] { 8.0 }, await ValuesAsync("min(max_over_time({app=~\"nan|hex\"} | logfmt | unwrap v [10s]))"));
        Assert.True(double.IsNaN(Assert.Single(await ValuesAsync("max(max_over_time({app=\"nan\"} | logfmt | unwrap v [10s]))"))));
    }

    [Fact]
    public async Task Sum_avg_and_count_follow_ieee_over_infinities_and_nan()
    {
        Assert.Equal(new double[] { double.PositiveInfinity }, await ValuesAsync("sum(max_over_time({app=~\"inf|hex\"} | logfmt | unwrap v [10s]))"));
        Assert.Equal(new double[] { double.PositiveInfinity }, await ValuesAsync("avg(max_over_time({app=~\"inf|hex\"} | logfmt | unwrap v [10s]))"));
        Assert.True(double.IsNaN(Assert.Single(await ValuesAsync("sum(max_over_time({app=~\"nan|hex\"} | logfmt | unwrap v [10s]))"))));
        Assert.Equal(new double[] { 2.0 }, await ValuesAsync("count(max_over_time({app=~\"nan|hex\"} | logfmt | unwrap v [10s]))"));
        Assert.True(double.IsNaN(Assert.Single(await ValuesAsync("stddev(max_over_time({app=~\"inf|hex\"} | logfmt | unwrap v [10s]))"))));
        Assert.True(double.IsNaN(Assert.Single(await ValuesAsync("stdvar(max_over_time({app=~\"inf|hex\"} | logfmt | unwrap v [10s]))"))));
    }

    [Fact]
    public async Task Topk_bottomk_and_sort_put_nan_last()
    {
        const string inner = "max_over_time({app=~\"nan|hex|exp|neginf\"} | logfmt | unwrap v [10s])";
        string[] Apps(QueryResult r) => [.. r.Vector!.Select(v => v.Labels.First(l => l.Key == "app").Value)];
        Assert.Equal(["exp", "hex"], Apps(await RunAsync($"sort_desc(topk(2, {inner}))")));
        Assert.Equal(["neginf", "hex"], Apps(await RunAsync($"sort(bottomk(2, {inner}))")));
        Assert.Equal(["neginf", "hex", "exp", "nan"], Apps(await RunAsync($"sort({inner})")));
        Assert.Equal(["exp", "hex", "neginf", "nan"], Apps(await RunAsync($"sort_desc({inner})")));
    }
}
