using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>
/// Which lines a label filter that cannot convert its value keeps, marks or drops, and what <c>| __error__=""</c>
/// and <c>unwrap</c> do after it (Loki's pkg/logql/log/label_filter.go and metrics_extraction.go): a value that does
/// not convert keeps the line with <c>__error__="LabelFilterErr"</c> and Go's error text in <c>__error_details__</c>;
/// a missing label drops it; a first error is not overwritten by later filters, but unwrap's SampleExtractionErr is.
/// </summary>
public sealed class LabelFilterErrorTests
{
    private const long S = 1_000_000_000;

    private static readonly InputStream[] s_streams =
    [
        new([new("app", "a")],
        [
            new(1 * S, "v=10 d=2s b=2KB"),
            new(2 * S, "v=abc d=abc b=abc"),
            new(3 * S, "v=1 d=1ms b=1B"),
            new(4 * S, "other=1"),
            new(5 * S, "v=1e400 d=1h b=1GB"),
        ]),
    ];

    private static async Task<QueryResult> RunAsync(string query, bool instant = false) =>
        await new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions()).ExecuteAsync(
            new QueryParams { Query = query, StartNs = instant ? 10 * S : 0, EndNs = 10 * S, StepNs = S, Limit = 100, Direction = Direction.Forward, Instant = instant },
            CancellationToken.None);

    /// <summary>Each kept line as "seconds __error__ __error_details__" (empty when unset).</summary>
    private static async Task<string[]> LinesAsync(string query)
    {
        var r = await RunAsync(query);
        return [.. r.Streams!.SelectMany(s => s.Entries.Select(e => (e.TimestampNs, Text:
            $"{e.TimestampNs / S} {s.Labels.FirstOrDefault(l => l.Key == "__error__").Value} {s.Labels.FirstOrDefault(l => l.Key == "__error_details__").Value}".TrimEnd())))
            .OrderBy(x => x.TimestampNs).Select(x => x.Text)];
    }

    [Theory]
    // Numbers: "abc" and "1e400" (out of range in Go) keep the line with the error; a missing label drops it.
    [InlineData("| v > 5", new[] { "1", "2 LabelFilterErr strconv.ParseFloat: parsing \"abc\": invalid syntax", "5 LabelFilterErr strconv.ParseFloat: parsing \"1e400\": value out of range" })]
    [InlineData("| v > 5 | __error__=\"\"", new[] { "1" })]
    [InlineData("| v > 5 | __error__=\"LabelFilterErr\"", new[] { "2 LabelFilterErr strconv.ParseFloat: parsing \"abc\": invalid syntax", "5 LabelFilterErr strconv.ParseFloat: parsing \"1e400\": value out of range" })]
    // Durations and bytes: Go's time.ParseDuration and go-humanize's ParseBytes texts.
    [InlineData("| d > 1s | __error__!=\"\"", new[] { "2 LabelFilterErr time: invalid duration \"abc\"" })]
    [InlineData("| d > 1s", new[] { "1", "2 LabelFilterErr time: invalid duration \"abc\"", "5" })]
    [InlineData("| b > 1KB | __error__=\"\"", new[] { "1", "5" })]
    // The first error stays: a later filter that fails too does not overwrite it, and a later filter that converts still filters.
    [InlineData("| v > 5 | d > 1s", new[] { "1", "2 LabelFilterErr strconv.ParseFloat: parsing \"abc\": invalid syntax", "5 LabelFilterErr strconv.ParseFloat: parsing \"1e400\": value out of range" })]
    [InlineData("| d > 1s | v > 5", new[] { "1", "2 LabelFilterErr time: invalid duration \"abc\"", "5 LabelFilterErr strconv.ParseFloat: parsing \"1e400\": value out of range" })]
    // or / and: the right side is not tried when the left of an or passes; an error passes the filter.
    [InlineData("| v > 5 or d > 1s | __error__=\"\"", new[] { "1" })]
    [InlineData("| v < 5 and d < 1s", new[] { "2 LabelFilterErr strconv.ParseFloat: parsing \"abc\": invalid syntax", "3" })]
    public async Task Failed_conversions_in_label_filters_keep_the_line_with_the_error(string pipeline, string[] expected)
    {
        Assert.Equal(expected, await LinesAsync($"{{app=\"a\"}} | logfmt {pipeline}"));
    }

    [Fact]
    public async Task Unwrap_after_a_failed_label_filter_replaces_the_error_and_fails_the_query()
    {
        var e = await Assert.ThrowsAsync<QueryException>(() => RunAsync("sum_over_time({app=\"a\"} | logfmt | d > 1s | unwrap v [10s])", instant: true));
        Assert.StartsWith("pipeline error: 'SampleExtractionErr'", e.Message, StringComparison.Ordinal);
        // A metric query over lines the label filter marked fails too, with the label filter's error.
        e = await Assert.ThrowsAsync<QueryException>(() => RunAsync("count_over_time({app=\"a\"} | logfmt | v > 5 [10s])", instant: true));
        Assert.StartsWith("pipeline error: 'LabelFilterErr'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    // __error__="" after unwrap drops the samples that did not convert ("abc", "1e400"); lines without v carry no sample.
    [InlineData("sum(sum_over_time({app=\"a\"} | logfmt | unwrap v | __error__=\"\" [10s]))", 11)]
    // Before unwrap it drops the label filter's errors; the line without v gives no sample.
    [InlineData("sum(sum_over_time({app=\"a\"} | logfmt | v >= 1 | __error__=\"\" | unwrap v [10s]))", 11)]
    [InlineData("sum(sum_over_time({app=\"a\"} | logfmt | unwrap duration(d) | __error__=\"\" [10s]))", 3602.001)]
    [InlineData("sum(sum_over_time({app=\"a\"} | logfmt | unwrap bytes(b) | __error__=\"\" [10s]))", 1_000_002_001)]
    [InlineData("sum(count_over_time({app=\"a\"} | logfmt | v > 5 | __error__=\"\" [10s]))", 1)]
    public async Task Error_filters_around_unwrap_select_the_samples(string query, double expected)
    {
        var r = await RunAsync(query, instant: true);
        Assert.Equal(expected, Assert.Single(r.Vector!).Value, 6);
    }
}
