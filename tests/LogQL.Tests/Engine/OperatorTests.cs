using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>rate_counter, label_replace, group_right, sort/sort_desc and comments, evaluated over small streams.</summary>
public sealed class OperatorTests
{
    private const long S = 1_000_000_000;

    private static KeyValuePair<string, string>[] L(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToArray();

    private static readonly InputStream[] s_streams =
    [
        new(L("app", "a", "pod", "1"), Enumerable.Range(1, 10).Select(i => new InputEntry(i * S, $"n={i}")).ToList()),
        new(L("app", "a", "pod", "2"), Enumerable.Range(1, 5).Select(i => new InputEntry(2 * i * S, $"n={2 * i}")).ToList()),
        new(L("app", "counter"), [new(2 * S, "v=10"), new(3 * S, "v=20"), new(4 * S, "v=30")]),
        new(L("app", "reset"), [new(2 * S, "v=10"), new(3 * S, "v=20"), new(4 * S, "v=5")]),
        new(L("app", "loki"), Enumerable.Range(46, 15).Select(t => new InputEntry(t * S, $"v={t + 1}")).ToList()),
    ];

    private static async Task<string[]> Vector(string query, long t)
    {
        var engine = new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions());
        var r = await engine.ExecuteAsync(new QueryParams { Query = query, StartNs = t, EndNs = t, Instant = true }, CancellationToken.None);
        Assert.Equal("vector", r.ResultType);
        return r.Vector!.Select(v => $"{v.LabelsString} {v.Value}").ToArray();
    }

    // Loki's rate_counter (range_vector.go extrapolatedRate): the range start is the first sample minus the range,
    // the range end the last sample, and the sampled interval is nanoseconds / 1000. With samples a second apart the
    // start gap (the range in seconds) is under 1.1 average intervals (10^6 "seconds"), so the whole range is added.
    [Theory]
    // 10, 20, 30 at 2s..4s: 20 * (2e6 + 4) / 2e6 / 4s.
    [InlineData("counter", "4s", 4, "5.0000100000000005")]
    // 10, 20, 5: the value before the reset is added, 15 * (2e6 + 4) / 2e6 / 4s.
    [InlineData("reset", "4s", 4, "3.7500075")]
    // One sample in the window: 0, not absent.
    [InlineData("counter", "1s", 2, "0")]
    // Loki's own engine test: 15 samples 1s apart, 47..61, over [30s] at 60s.
    [InlineData("loki", "30s", 60, "0.46666766666666665")]
    public async Task RateCounter_ExtrapolatesAsLoki(string app, string range, long atSeconds, string expected)
    {
        Assert.Equal([$"{{app=\"{app}\"}} {expected}"], await Vector($"rate_counter({{app=\"{app}\"}} | logfmt | unwrap v [{range}])", atSeconds * S));
    }

    [Fact]
    public async Task RateCounter_WithoutSamplesInTheWindow_IsAbsent()
    {
        Assert.Empty(await Vector("rate_counter({app=\"counter\"} | logfmt | unwrap v [1s])", 10 * S));
    }

    [Fact]
    public async Task LabelReplace_WritesTheExpandedReplacementOnMatch()
    {
        Assert.Equal(["{app=\"a\", p=\"pod-1\", pod=\"1\"} 4", "{app=\"a\", p=\"pod-2\", pod=\"2\"} 2"],
            await Vector("label_replace(count_over_time({app=\"a\"}[4s]), \"p\", \"pod-$1\", \"pod\", \"(.*)\")", 10 * S));
        // The regex is anchored: "1" does not match "pod" values as a substring search would; no match leaves the series alone.
        Assert.Equal(["{app=\"a\", pod=\"1\"} 4", "{app=\"a\", pod=\"2\"} 2"],
            await Vector("label_replace(count_over_time({app=\"a\"}[4s]), \"p\", \"x\", \"app\", \"b\")", 10 * S));
    }

    [Fact]
    public async Task LabelReplace_WithEmptyReplacementRemovesTheLabel()
    {
        Assert.Equal(["{app=\"a\"} 4", "{app=\"a\", pod=\"2\"} 2"],
            await Vector("label_replace(count_over_time({app=\"a\"}[4s]), \"pod\", \"\", \"pod\", \"1\")", 10 * S));
    }

    [Fact]
    public async Task GroupRight_KeepsTheLabelsOfTheManySide()
    {
        // (6s, 10s]: pod 1 has 4 lines, pod 2 has 2; the one-side (pod 2) multiplies each right-hand series.
        Assert.Equal(["{app=\"a\", pod=\"1\"} 8", "{app=\"a\", pod=\"2\"} 4"],
            await Vector("count_over_time({pod=\"2\"}[4s]) * on (app) group_right count_over_time({app=\"a\"}[4s])", 10 * S));
    }

    [Fact]
    public async Task Sort_OrdersByValue()
    {
        Assert.Equal(["{app=\"a\", pod=\"2\"} 2", "{app=\"a\", pod=\"1\"} 4"], await Vector("sort(count_over_time({app=\"a\"}[4s]))", 10 * S));
        Assert.Equal(["{app=\"a\", pod=\"1\"} 4", "{app=\"a\", pod=\"2\"} 2"], await Vector("sort_desc(count_over_time({app=\"a\"}[4s]))", 10 * S));
    }

    [Fact]
    public async Task Comments_RunToTheEndOfTheLine()
    {
        var withComment = "sum( # all pods\n count_over_time({app=\"a\"} # the selector\n |= \"n=1\" [4s]))";
        Assert.Equal(LogQLParser.Parse("sum(count_over_time({app=\"a\"} |= \"n=1\" [4s]))"), LogQLParser.Parse(withComment));
        // (6s, 10s]: only the two "n=10" lines contain "n=1".
        Assert.Equal(["{} 2"], await Vector(withComment, 10 * S));
    }
}
