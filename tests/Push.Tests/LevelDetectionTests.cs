using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Orleans.Loki.Push.Tests;

public sealed class LevelDetectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private static string? DetectedLevel(string labels, string line, params KeyValuePair<string, string>[] metadata)
    {
        var entry = new PushEntry(Now.ToUnixTimeMilliseconds() * 1_000_000, Encoding.UTF8.GetBytes(line), metadata.Length == 0 ? null : metadata);
        var result = new PushValidator(new FakeTimeProvider(Now)).Validate("t", [new PushStream(labels, [entry])], new ValidationLimits());
        var accepted = Assert.Single(Assert.Single(result.Streams).Entries);
        return accepted.Metadata?.SingleOrDefault(p => p.Key == "detected_level").Value;
    }

    [Theory]
    [InlineData("{app=\"a\", level=\"warning\"}", "anything", "warning")]
    [InlineData("{app=\"a\", lvl=\"ERROR\"}", "info line", "ERROR")]
    [InlineData("{app=\"a\"}", "{\"level\":\"warn\",\"msg\":\"x\"}", "warn")]
    [InlineData("{app=\"a\"}", "{\"outer\":{\"severity\":\"DEBUG\"}}", "debug")]
    [InlineData("{app=\"a\"}", "{\"a\":{\"b\":{\"level\":\"fatal\"}}}", "unknown")]
    [InlineData("{app=\"a\"}", "{\"level\":30,\"msg\":\"pino\"}", "unknown")]
    [InlineData("{app=\"a\"}", "ts=1 LEVEL=dbg msg=hi", "debug")]
    [InlineData("{app=\"a\"}", "ts=1 level=\"fatal\" msg=x", "fatal")]
    [InlineData("{app=\"a\"}", "ts=1 level=verbose msg=oops error", "error")]
    [InlineData("{app=\"a\"}", "msg=\"say \\\"level=error\\\" now\" lvl=warn", "warn")]
    [InlineData("{app=\"a\"}", "severity=debug ts=2 Level=error", "error")]
    [InlineData("{app=\"a\"}", "  \tts=1\t level=info   ", "info")]
    [InlineData("{app=\"a\"}", "=x levelx=error LEVEL", "error")]
    [InlineData("{app=\"a\"}", "10.0.0.1 - - \"GET /search?q=level HTTP/1.1\" 200", "unknown")]
    [InlineData("{app=\"a\"}", "msg=\"unterminated level=error", "error")]
    [InlineData("{app=\"a\"}", "GET /index 200 INFO", "info")]
    [InlineData("{app=\"a\"}", "connection ERR reset", "error")]
    [InlineData("{app=\"a\"}", "WARN disk", "warn")]
    [InlineData("{app=\"a\"}", "CRITICAL failure", "critical")]
    [InlineData("{app=\"a\"}", "some debug output", "debug")]
    [InlineData("{app=\"a\"}", "nothing to see", "unknown")]
    public void DetectedLevel_FollowsLokiPrecedence(string labels, string line, string expected)
    {
        Assert.Equal(expected, DetectedLevel(labels, line));
    }

    [Fact]
    public void LevelInStructuredMetadata_IsUsed()
    {
        Assert.Equal("notice", DetectedLevel("{app=\"a\"}", "text", new KeyValuePair<string, string>("level", "notice")));
    }

    [Theory]
    [InlineData("3", "trace")]
    [InlineData("9", "info")]
    [InlineData("13", "warn")]
    [InlineData("17", "error")]
    [InlineData("24", "fatal")]
    [InlineData("99", "unknown")]
    [InlineData("abc", "info")]
    public void OtlpSeverityNumber_MapsToLevel(string severity, string expected)
    {
        Assert.Equal(expected, DetectedLevel("{service_name=\"a\"}", "debug text", new KeyValuePair<string, string>("severity_number", severity)));
    }

    [Fact]
    public void ExistingDetectedLevel_IsNotDuplicated()
    {
        var entry = new PushEntry(Now.ToUnixTimeMilliseconds() * 1_000_000, "error"u8.ToArray(), [new("detected_level", "custom")]);

        var result = new PushValidator(new FakeTimeProvider(Now)).Validate("t", [new PushStream("{a=\"b\"}", [entry])], new ValidationLimits());

        Assert.Equal([new("detected_level", "custom")], result.Streams[0].Entries[0].Metadata!);
    }

    [Fact]
    public void DiscoveryOff_AddsNothing()
    {
        var entry = new PushEntry(Now.ToUnixTimeMilliseconds() * 1_000_000, "ERROR boom"u8.ToArray(), null);

        var result = new PushValidator(new FakeTimeProvider(Now)).Validate("t", [new PushStream("{a=\"b\"}", [entry])], new ValidationLimits { DiscoverLogLevels = false });

        Assert.Null(result.Streams[0].Entries[0].Metadata);
    }

    [Fact]
    public void Fixture_PinoWarningLabel_IsCopiedAsIs()
    {
        var decoded = Fixture.Load("003-pino-loki").Decode();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 0, 41, 0, TimeSpan.Zero));

        var result = new PushValidator(time).Validate("t", decoded.Streams, new ValidationLimits());

        Assert.Equal(["info", "warning", "error"], result.Streams.Select(s => s.Entries[0].Metadata!.Single(p => p.Key == "detected_level").Value));
        Assert.All(result.Streams, s => Assert.Contains(new KeyValuePair<string, string>("service_name", "pino-demo"), s.LabelPairs));
    }
}
