using System.Globalization;
using System.Net;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// Queries over data spread across flushed chunks and in-memory heads of several silos, through HTTP: results match
/// values computed from the pushed data, and are identical whether the frontend splits them by time or not.
/// </summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class QuerySplittingTests(GatewayClusterFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan[] SplitIntervals = [TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(7)];
    private static Corpus? s_corpus;

    private Corpus Data => s_corpus!;

    private long Start => Data.BaseNs - Corpus.MinuteNs;

    private long End => Data.BaseNs + (37 * Corpus.MinuteNs);

    public async Task InitializeAsync() => s_corpus = await Corpus.SharedAsync(fixture.Http);

    public Task DisposeAsync()
    {
        fixture.Limits.Current = new QueryLimits();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Log_queries_return_the_first_limit_entries_in_direction_whatever_the_split()
    {
        foreach (var direction in new[] { "backward", "forward" })
        {
            foreach (var limit in new[] { 1, 5, 8, 50, 5000 })
            {
                var expected = ExpectedLogs(Data.Entries, Start, End, limit, direction == "backward");
                foreach (var split in SplitIntervals)
                {
                    fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split, MaxQueryParallelism = 4 };
                    var (status, body) = await QueryClient.RangeAsync(fixture.Http, "{job=\"app\"}", Start, End, Corpus.MinuteNs, limit, direction);
                    Assert.True(status == HttpStatusCode.OK, body);
                    Assert.Equal(expected, QueryClient.StreamEntries(body));
                }
            }
        }
    }

    [Fact]
    public async Task Filtered_and_formatted_log_queries_are_identical_split_and_unsplit()
    {
        var queries = new (string Query, int Limit, Func<Corpus.Entry, bool>? Filter)[]
        {
            ("{job=\"app\"} |= \"needle\"", 5000, e => e.Line.Contains("needle", StringComparison.Ordinal)),
            ("{job=\"app\"} |= \"needle\"", 3, e => e.Line.Contains("needle", StringComparison.Ordinal)),
            ("{job=\"app\"} | logfmt | level=\"error\" | line_format \"{{.pod}} {{.status}}\"", 40, null),
            ("{job=\"app\", pod=~\"p[01]\"} != \"tie\"", 25, e => e.Pod is "p0" or "p1" && !e.Line.Contains("tie", StringComparison.Ordinal)),
        };
        foreach (var (query, limit, filter) in queries)
        {
            foreach (var direction in new[] { "backward", "forward" })
            {
                var answers = new List<string>();
                foreach (var split in SplitIntervals)
                {
                    fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split };
                    var (status, body) = await QueryClient.RangeAsync(fixture.Http, query, Start, End, Corpus.MinuteNs, limit, direction);
                    Assert.True(status == HttpStatusCode.OK, body);
                    answers.Add(QueryClient.Result(body));
                    if (filter is not null)
                    {
                        Assert.Equal(ExpectedLogs(Data.Entries.Where(filter), Start, End, limit, direction == "backward"), QueryClient.StreamEntries(body));
                    }
                }
                Assert.NotEqual("[]", answers[0]);
                Assert.All(answers, a => Assert.Equal(answers[0], a));
            }
        }
    }

    [Fact]
    public async Task Count_over_time_matches_the_pushed_data_at_every_step_whatever_the_split()
    {
        foreach (var split in SplitIntervals)
        {
            fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split };
            var (status, body) = await QueryClient.RangeAsync(fixture.Http, "sum(count_over_time({job=\"app\"}[5m]))", Start, End, 45 * Corpus.SecondNs);
            Assert.True(status == HttpStatusCode.OK, body);
            var points = Assert.Single(QueryClient.Matrix(body)).Value;
            var expected = new List<(double, string)>();
            for (var t = Start; t <= End; t += 45 * Corpus.SecondNs)
            {
                var count = Data.Entries.Count(e => e.TimestampNs > t - (5 * Corpus.MinuteNs) && e.TimestampNs <= t);
                if (count > 0)
                {
                    expected.Add((t / 1e9, count.ToString(CultureInfo.InvariantCulture)));
                }
            }
            Assert.Equal(expected, points);
        }
    }

    [Fact]
    public async Task Bytes_over_time_and_rate_per_pod_with_offset_match_the_pushed_data_at_every_step_whatever_the_split()
    {
        // Window sums are computed in the queriers: every step's window (t - offset - range, t - offset] must still
        // hold exactly the samples it holds when computed from the entries, for steps that do not divide the range.
        var step = 37 * Corpus.SecondNs;
        var range = 3 * Corpus.MinuteNs;
        var offset = 2 * Corpus.MinuteNs;
        foreach (var split in SplitIntervals)
        {
            fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split };
            foreach (var (query, bytes) in new[] { ("sum by (detected_level, pod) (bytes_over_time({job=\"app\"}[3m] offset 2m))", true), ("sum by (detected_level, pod) (rate({job=\"app\"}[3m] offset 2m))", false) })
            {
                var (status, body) = await QueryClient.RangeAsync(fixture.Http, query, Start, End, step);
                Assert.True(status == HttpStatusCode.OK, body);
                var expected = new List<string>();
                foreach (var (level, pod) in Data.Entries.Select(e => (e.Level, e.Pod)).Distinct().OrderBy(s => s.Level, StringComparer.Ordinal).ThenBy(s => s.Pod, StringComparer.Ordinal))
                {
                    var values = new List<string>();
                    for (var t = Start; t <= End; t += step)
                    {
                        var end = t - offset;
                        var inWindow = Data.Entries.Where(e => e.Pod == pod && e.Level == level && e.TimestampNs > end - range && e.TimestampNs <= end).ToList();
                        if (inWindow.Count > 0)
                        {
                            var value = bytes ? inWindow.Sum(e => System.Text.Encoding.UTF8.GetByteCount(e.Line)) : inWindow.Count / 180.0;
                            values.Add($"[{t / 1_000_000_000},\"{value.ToString(CultureInfo.InvariantCulture)}\"]");
                        }
                    }
                    if (values.Count > 0)
                    {
                        expected.Add($"{{\"metric\":{{\"detected_level\":\"{level}\",\"pod\":\"{pod}\"}},\"values\":[{string.Join(",", values)}]}}");
                    }
                }
                Assert.Equal("[" + string.Join(",", expected) + "]", QueryClient.Result(body));
            }
        }
    }

    [Fact]
    public async Task Sum_by_a_parsed_label_of_counts_matches_the_pushed_data_whatever_the_split()
    {
        // The queriers label each sample with the grouping's labels only (here a label parsed per line), for entries
        // of flushed chunks and of the heads alike; the sums must still be those of the entries.
        var step = 37 * Corpus.SecondNs;
        var range = 5 * Corpus.MinuteNs;
        foreach (var split in SplitIntervals)
        {
            fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split, MaxQueryParallelism = 3 };
            foreach (var (query, rate) in new[] { ("sum by (level) (count_over_time({job=\"app\"} | logfmt [5m]))", false), ("sum by (level) (rate({job=\"app\"} | logfmt [5m]))", true) })
            {
                var (status, body) = await QueryClient.RangeAsync(fixture.Http, query, Start, End, step);
                Assert.True(status == HttpStatusCode.OK, body);
                var expected = new List<string>();
                foreach (var level in Data.Entries.Select(e => e.Level).Distinct().Order(StringComparer.Ordinal))
                {
                    var values = new List<string>();
                    for (var t = Start; t <= End; t += step)
                    {
                        var count = Data.Entries.Count(e => e.Level == level && e.TimestampNs > t - range && e.TimestampNs <= t);
                        if (count > 0)
                        {
                            var value = rate ? count / 300.0 : count;
                            values.Add($"[{t / 1_000_000_000},\"{value.ToString(CultureInfo.InvariantCulture)}\"]");
                        }
                    }
                    expected.Add($"{{\"metric\":{{\"level\":\"{level}\"}},\"values\":[{string.Join(",", values)}]}}");
                }
                Assert.Equal("[" + string.Join(",", expected) + "]", QueryClient.Result(body));
            }
        }
    }

    [Fact]
    public async Task A_pipeline_error_under_sum_by_names_the_full_series_as_Loki_does()
    {
        fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = TimeSpan.Zero };
        var (status, body) = await QueryClient.RangeAsync(fixture.Http, "sum by (pod) (count_over_time({job=\"app\"} | json [5m]))", Start, End, Corpus.MinuteNs);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("pipeline error: 'JSONParserErr' for series: '{__error__=\"JSONParserErr\", __error_details__=", body, StringComparison.Ordinal);
        Assert.Contains("job=\"app\", pod=\"p", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Needle_count_per_pod_matches_the_pushed_data()
    {
        fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = TimeSpan.FromMinutes(1) };
        var at = Data.BaseNs + (30 * Corpus.MinuteNs);
        var (status, body) = await QueryClient.InstantAsync(fixture.Http, "sum by (pod) (count_over_time({job=\"app\"} |= \"needle\" [30m]))", at);
        Assert.True(status == HttpStatusCode.OK, body);
        var expected = Data.Entries.Where(e => e.Line.Contains("needle", StringComparison.Ordinal) && e.TimestampNs > at - (30 * Corpus.MinuteNs) && e.TimestampNs <= at)
            .GroupBy(e => e.Pod).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{{\"metric\":{{\"pod\":\"{g.Key}\"}},\"value\":[{at / 1_000_000_000},\"{g.Count()}\"]}}");
        Assert.Equal("[" + string.Join(",", expected) + "]", QueryClient.Result(body));
    }

    [Theory]
    [InlineData("count_over_time({job=\"app\"}[5m])")]
    [InlineData("rate({job=\"app\"}[2m])")]
    [InlineData("bytes_rate({job=\"app\"}[3m])")]
    [InlineData("sum by (level) (count_over_time({job=\"app\"} | logfmt [5m]))")]
    [InlineData("topk(2, sum by (pod) (count_over_time({job=\"app\"}[5m])))")]
    [InlineData("quantile_over_time(0.9, {job=\"app\"} | logfmt | unwrap latency_ms [5m]) by (pod)")]
    [InlineData("avg_over_time({job=\"app\"} | logfmt | unwrap size [4m]) by (level)")]
    [InlineData("sum by (pod) (sum_over_time({job=\"app\"} | logfmt | unwrap latency_ms [10m]))")]
    [InlineData("sum(rate({job=\"app\"} |= \"needle\" [5m])) / sum(rate({job=\"app\"}[5m]))")]
    [InlineData("count_over_time({job=\"app\"}[5m] offset 2m) > 20")]
    [InlineData("absent_over_time({job=\"app\", pod=\"nope\"}[5m])")]
    [InlineData("absent_over_time({job=\"app\"}[1m])")]
    public async Task Metric_queries_are_identical_split_and_unsplit(string query)
    {
        foreach (var step in new[] { Corpus.MinuteNs, 37 * Corpus.SecondNs })
        {
            var answers = new List<string>();
            foreach (var split in SplitIntervals)
            {
                fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split, MaxQueryParallelism = 3 };
                var (status, body) = await QueryClient.RangeAsync(fixture.Http, query, Start, End, step);
                Assert.True(status == HttpStatusCode.OK, body);
                answers.Add(QueryClient.Result(body));
            }
            Assert.NotEqual("[]", answers[0]);
            Assert.All(answers, a => Assert.Equal(answers[0], a));
        }
    }

    [Fact]
    public async Task Instant_queries_are_identical_split_and_unsplit()
    {
        var answers = new List<string>();
        foreach (var split in SplitIntervals)
        {
            fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = split };
            var (status, body) = await QueryClient.InstantAsync(fixture.Http, "sum by (level) (count_over_time({job=\"app\"} | logfmt [20m]))", Data.BaseNs + (25 * Corpus.MinuteNs));
            Assert.True(status == HttpStatusCode.OK, body);
            answers.Add(QueryClient.Result(body));
        }
        Assert.Contains("\"level\":\"error\"", answers[0], StringComparison.Ordinal);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
    }

    [Fact]
    public async Task Too_many_series_in_the_merged_result_is_Lokis_400()
    {
        fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = TimeSpan.FromMinutes(1), MaxQuerySeries = 3 };
        var (status, body) = await QueryClient.RangeAsync(fixture.Http, "count_over_time({job=\"app\"}[5m])", Start, End, Corpus.MinuteNs);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("maximum number of series (3) reached for a single query; consider reducing query cardinality by adding more filters or using aggregations", body);
    }

    [Fact]
    public async Task An_expired_query_timeout_is_Lokis_504()
    {
        fixture.Limits.Current = new QueryLimits { QueryTimeout = TimeSpan.FromTicks(1) };
        var (status, body) = await QueryClient.RangeAsync(fixture.Http, "sum(count_over_time({job=\"app\"}[5m]))", Start, End, Corpus.MinuteNs);
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal("context deadline exceeded", body);
    }

    [Fact]
    public async Task The_stats_block_counts_the_lines_read_and_the_splits_run()
    {
        fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = TimeSpan.Zero };
        var (status, body) = await QueryClient.RangeAsync(fixture.Http, "sum(count_over_time({job=\"app\"}[5m]))", Start, End, Corpus.MinuteNs);
        Assert.True(status == HttpStatusCode.OK, body);
        using (var doc = System.Text.Json.JsonDocument.Parse(body))
        {
            var summary = doc.RootElement.GetProperty("data").GetProperty("stats").GetProperty("summary");
            // Every stored entry in the fetched range [Start - 5m, End], each once although some are stored twice.
            var expected = Data.Entries.Count(e => e.TimestampNs > Start - (5 * Corpus.MinuteNs) && e.TimestampNs <= End);
            Assert.Equal(expected, summary.GetProperty("totalLinesProcessed").GetInt64());
            Assert.Equal(1, summary.GetProperty("splits").GetInt32());
            Assert.Equal(1, summary.GetProperty("shards").GetInt32());
        }

        fixture.Limits.Current = new QueryLimits { SplitQueriesByInterval = TimeSpan.FromMinutes(10) };
        (status, body) = await QueryClient.RangeAsync(fixture.Http, "{job=\"app\"}", Start, End, Corpus.MinuteNs, limit: 5000, direction: "forward");
        Assert.True(status == HttpStatusCode.OK, body);
        using (var doc = System.Text.Json.JsonDocument.Parse(body))
        {
            var summary = doc.RootElement.GetProperty("data").GetProperty("stats").GetProperty("summary");
            var ranges = 0;
            for (var from = Start; from < End; from = ((from / (10 * Corpus.MinuteNs)) + 1) * 10 * Corpus.MinuteNs)
            {
                ranges++;
            }
            Assert.Equal(ranges, summary.GetProperty("splits").GetInt32());
            Assert.Equal(Data.Entries.Count(e => e.TimestampNs >= Start && e.TimestampNs < End), summary.GetProperty("totalEntriesReturned").GetInt64());
        }
    }

    private static List<string> ExpectedLogs(IEnumerable<Corpus.Entry> entries, long start, long end, int limit, bool backward)
    {
        var ordered = entries.Where(e => e.TimestampNs >= start && e.TimestampNs < end)
            .Order(Comparer<Corpus.Entry>.Create((a, b) =>
            {
                var c = a.TimestampNs.CompareTo(b.TimestampNs);
                c = backward ? -c : c;
                c = c != 0 ? c : string.CompareOrdinal(a.Labels, b.Labels);
                return c != 0 ? c : string.CompareOrdinal(a.Line, b.Line);
            }))
            .Take(limit).ToList();
        return [.. ordered.GroupBy(e => e.Labels).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Select(e => $"{e.Pod} {e.TimestampNs.ToString(CultureInfo.InvariantCulture)} {e.Line}"))];
    }
}
