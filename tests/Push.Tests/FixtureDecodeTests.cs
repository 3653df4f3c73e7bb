namespace Orleans.Loki.Push.Tests;

public sealed class FixtureDecodeTests
{
    [Fact]
    public void WinstonProtobuf_DecodesSnappyBlock_WithLabelsAsSent()
    {
        var result = Fixture.Load("001-winston-loki-proto").Decode();

        Assert.True(result.Success, result.Error);
        Assert.Equal(["{level=\"info\",app=\"winston-demo\",env=\"dev\",module=\"checkout\"}", "{level=\"warn\",app=\"winston-demo\",env=\"dev\"}", "{level=\"error\",app=\"winston-demo\",env=\"dev\"}"], result.Streams.Select(s => s.Labels));
        var entry = Assert.Single(result.Streams[0].Entries);
        Assert.Equal(1795653621261000000, entry.TimestampNs);
        Assert.Equal("hello from winston {\"user\":42,\"level\":\"info\"}", TestData.Line(entry));
        Assert.Null(entry.Metadata);
        Assert.Equal("boom {\"level\":\"error\"}", TestData.Line(Assert.Single(result.Streams[2].Entries)));
    }

    [Fact]
    public void WinstonJson_DecodesThreeElementValues_WithMetadataAndCanonicalLabels()
    {
        var result = Fixture.Load("002-winston-loki-json").Decode();

        Assert.True(result.Success, result.Error);
        Assert.Equal(3, result.Streams.Count);
        Assert.Equal("{app=\"winston-demo\", env=\"dev\", level=\"info\", module=\"checkout\"}", result.Streams[0].Labels);
        var entry = Assert.Single(result.Streams[0].Entries);
        Assert.Equal(1795653625078000000, entry.TimestampNs);
        Assert.Equal("hello from winston {\"user\":42,\"level\":\"info\"}", TestData.Line(entry));
        Assert.Equal([new("user", "42"), new("level", "info")], entry.Metadata!);
        Assert.Equal([new("orderId", "A-1"), new("level", "warn")], result.Streams[1].Entries[0].Metadata!);
    }

    [Fact]
    public void PinoJson_DecodesEscapedLinesToRawJson()
    {
        var result = Fixture.Load("003-pino-loki").Decode();

        Assert.True(result.Success, result.Error);
        Assert.Equal(["{app=\"pino-demo\", env=\"dev\", hostname=\"vm\", level=\"info\", module=\"auth\"}", "{app=\"pino-demo\", env=\"dev\", hostname=\"vm\", level=\"warning\"}", "{app=\"pino-demo\", env=\"dev\", hostname=\"vm\", level=\"error\"}"], result.Streams.Select(s => s.Labels));
        Assert.Equal("{\"level\":30,\"time\":1795653627676,\"pid\":22951,\"module\":\"auth\",\"user\":7,\"msg\":\"hello from pino\"}", TestData.Line(result.Streams[0].Entries[0]));
        var stack = TestData.Line(result.Streams[2].Entries[0]);
        Assert.StartsWith("{\"level\":50,", stack, StringComparison.Ordinal);
        Assert.Contains("\"stack\":\"Error: pino boom\\n    at Object.<anonymous>", stack, StringComparison.Ordinal);
        Assert.All(result.Streams, s => Assert.Null(Assert.Single(s.Entries).Metadata));
    }

    [Fact]
    public void PinoJsonWithMetadata_KeepsMetadataOnlyWhereSent()
    {
        var result = Fixture.Load("005-pino-loki-meta").Decode();

        Assert.True(result.Success, result.Error);
        Assert.Equal([new("traceId", "abc123"), new("n", "5")], result.Streams[0].Entries[0].Metadata!);
        Assert.Null(result.Streams[1].Entries[0].Metadata);
        Assert.Equal(1795653644405000000, result.Streams[2].Entries[0].TimestampNs);
    }

    [Theory]
    [InlineData("004-otlp-http", 1795653636297000000, 1795653636298000000)]
    [InlineData("006-otlp-http-gzip", 1795653647569000000, 1795653647569000000)]
    public void OtlpJson_MapsServiceNameToLabel_AndEverythingElseToMetadata(string name, long first, long second)
    {
        var result = Fixture.Load(name).Decode();

        Assert.True(result.Success, result.Error);
        var stream = Assert.Single(result.Streams);
        Assert.Equal("{service_name=\"otel-demo\"}", stream.Labels);
        Assert.Equal(2, stream.Entries.Count);
        Assert.Equal(first, stream.Entries[0].TimestampNs);
        Assert.Equal("hello from otel", TestData.Line(stream.Entries[0]));
        Assert.Equal(
            [
                new("http_route", "/checkout"),
                new("user", "42"),
                new("observed_timestamp", first.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("severity_number", "9"),
                new("severity_text", "INFO"),
                new("scope_name", "demo-logger"),
                new("scope_version", "1.0.0"),
            ],
            stream.Entries[0].Metadata!);
        Assert.Equal(second, stream.Entries[1].TimestampNs);
        Assert.Equal("otel boom", TestData.Line(stream.Entries[1]));
        Assert.Contains(new KeyValuePair<string, string>("severity_text", "ERROR"), stream.Entries[1].Metadata!);
    }

    [Fact]
    public void AllFixtures_ValidateWithoutRejections_WhenClockIsAtCaptureTime()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 0, 41, 0, TimeSpan.Zero));
        var validator = new PushValidator(time);
        foreach (var name in Fixture.Names)
        {
            var decoded = Fixture.Load(name).Decode();
            var validated = validator.Validate("fake", decoded.Streams, new ValidationLimits());

            Assert.Null(validated.ErrorBody);
            Assert.Equal(decoded.Streams.Sum(s => s.Entries.Count), validated.AcceptedLines);
        }
    }
}
