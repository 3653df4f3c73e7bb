using Orleans.Loki.Gateway.Patterns;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Tests;

public sealed class PatternExtractorTests
{
    private const long Second = 1_000_000_000L;

    private static LogEntry Entry(long ts, string line, string? level) =>
        new(ts, line, level is null ? [] : [new("detected_level", level)], []);

    [Fact]
    public void Patterns_AreSplitByDetectedLevel_AndCountedPerStep_WithEmptyStepsAsZero()
    {
        var extractor = new PatternExtractor(new DrainOptions());
        extractor.Add(Entry(100 * Second, "GET /a 200 5ms", "info"));
        extractor.Add(Entry(105 * Second, "GET /b 200 6ms", "info"));
        extractor.Add(Entry(131 * Second, "GET /c 200 7ms", "info"));
        extractor.Add(Entry(101 * Second, "GET /d 200 8ms", "error"));
        extractor.Add(Entry(102 * Second, "no level here at all", null));

        var result = extractor.Result(10 * Second);

        Assert.Collection(
            result,
            s =>
            {
                Assert.Equal(("GET <_> 200 <_>", "info", 3L), (s.Pattern, s.Level, s.Total));
                Assert.Equal([(100 * Second, 2L), (110 * Second, 0L), (120 * Second, 0L), (130 * Second, 1L)], s.Samples);
            },
            s => Assert.Equal(("GET /d 200 8ms", "error", 1L), (s.Pattern, s.Level, s.Total)),
            s => Assert.Equal(("no level here at all", "unknown", 1L), (s.Pattern, s.Level, s.Total)));
    }
}
