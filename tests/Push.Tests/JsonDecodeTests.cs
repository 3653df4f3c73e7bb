using System.Text;

namespace Orleans.Loki.Push.Tests;

public sealed class JsonDecodeTests
{
    private const string Body = "{\"streams\":[{\"stream\":{\"b\":\"1\",\"a\":\"2\"},\"values\":[[\"1700000000000000001\",\"first\"],[\"1700000000000000002\",\"second\",{\"k\":\"v\"}]]}]}";

    [Fact]
    public void StreamObject_BecomesCanonicalSortedLabelString()
    {
        var result = TestData.DecodeJson(Body);

        Assert.True(result.Success, result.Error);
        var stream = Assert.Single(result.Streams);
        Assert.Equal("{a=\"2\", b=\"1\"}", stream.Labels);
        Assert.Equal(1700000000000000001, stream.Entries[0].TimestampNs);
        Assert.Equal("second", TestData.Line(stream.Entries[1]));
        Assert.Equal([new("k", "v")], stream.Entries[1].Metadata!);
    }

    [Fact]
    public void ContentTypeWithCharset_IsStillJson()
    {
        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(Body), "Application/JSON; charset=utf-8", null, PushFormat.Json, 1 << 20);

        Assert.True(result.Success, result.Error);
    }

    [Fact]
    public void EscapedLine_IsUnescapedToUtf8()
    {
        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"tab\\there \\u00e9 \\\"q\\\" \\ud83d\\ude00\"]]}]}");

        Assert.Equal("tab\there é \"q\" 😀", TestData.Line(result.Streams[0].Entries[0]));
    }

    [Fact]
    public void RawInvalidUtf8InLine_IsKeptAsSent()
    {
        var body = Encoding.UTF8.GetBytes("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"xx\"]]}]}");
        var at = Array.IndexOf(body, (byte)'x');
        body[at] = 0xff;

        var result = PushDecoder.Decode(body, "application/json", null, PushFormat.Json, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal(new byte[] { 0xff, (byte)'x' }, result.Streams[0].Entries[0].Line.ToArray());
    }

    [Fact]
    public void LoneSurrogateEscape_Is400()
    {
        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"bad \\ud800 x\"]]}]}");

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid log line: the string contains an invalid escape (lone surrogate) or invalid UTF-8", result.Error);
    }

    [Fact]
    public void DuplicateStreamKeys_LastValueWins()
    {
        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":\"1\",\"a\":\"2\"},\"values\":[[\"1\",\"x\"]]}]}");

        Assert.Equal("{a=\"2\"}", result.Streams[0].Labels);
    }

    [Fact]
    public void LargeMetadataObject_WithRepeatedKeys_KeepsFirstOrderAndLastValues()
    {
        var pairs = string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"k{i}\":\"{i}\"")) + ",\"k3\":\"last\",\"k15\":\"end\"";

        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"x\",{" + pairs + "}]]}]}");

        var metadata = result.Streams[0].Entries[0].Metadata!;
        Assert.Equal(20, metadata.Length);
        Assert.Equal(new KeyValuePair<string, string>("k3", "last"), metadata[3]);
        Assert.Equal(new KeyValuePair<string, string>("k15", "end"), metadata[15]);
        Assert.Equal(new KeyValuePair<string, string>("k19", "19"), metadata[19]);
    }

    [Fact]
    public void UnknownFields_AreIgnored()
    {
        var result = TestData.DecodeJson("{\"extra\":{\"deep\":[1,2,{\"x\":null}]},\"streams\":[{\"other\":true,\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"x\"]]}]}");

        Assert.True(result.Success, result.Error);
        Assert.Single(result.Streams[0].Entries);
    }

    [Fact]
    public void Gzip_IsInflated()
    {
        var body = TestData.Gzip(Encoding.UTF8.GetBytes(Body));

        var result = PushDecoder.Decode(body, "application/json", "gzip", PushFormat.Json, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal("first", TestData.Line(result.Streams[0].Entries[0]));
    }

    [Fact]
    public void RawDeflate_IsInflated()
    {
        var body = TestData.RawDeflate(Encoding.UTF8.GetBytes(Body));

        var result = PushDecoder.Decode(body, "application/json", "deflate", PushFormat.Json, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal(2, result.Streams[0].Entries.Count);
    }

    [Fact]
    public void ZlibDeflate_IsRecognisedAndInflated()
    {
        var body = TestData.Zlib(Encoding.UTF8.GetBytes(Body));

        var result = PushDecoder.Decode(body, "application/json", "deflate", PushFormat.Json, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal(2, result.Streams[0].Entries.Count);
    }

    [Fact]
    public void GzipBomb_OverTheCap_Is413()
    {
        // 64 MiB of zeros compress to ~64 KiB; the cap is 1 MiB.
        var bomb = TestData.Gzip(new byte[64 << 20]);

        var result = PushDecoder.Decode(bomb, "application/json", "gzip", PushFormat.Json, 1 << 20);

        Assert.Equal(413, result.StatusCode);
        Assert.Equal("request body too large: decompressed message size too large than max (1048577 vs 1048576)", result.Error);
    }

    [Fact]
    public void UncompressedBodyOverTheCap_Is413()
    {
        var result = TestData.DecodeJson(Body, max: 10);

        Assert.Equal(413, result.StatusCode);
        Assert.Equal($"request body too large: message size too large than max ({Encoding.UTF8.GetByteCount(Body)} vs 10)", result.Error);
    }

    [Fact]
    public void CorruptGzip_Is400()
    {
        var body = TestData.Gzip(Encoding.UTF8.GetBytes(Body));
        body[12] ^= 0xff;
        body[13] ^= 0xff;

        var result = PushDecoder.Decode(body, "application/json", "gzip", PushFormat.Json, 1 << 20);

        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public void NotGzipAtAll_Is400WithGoStyleMessage()
    {
        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(Body), "application/json", "gzip", PushFormat.Json, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("gzip: invalid header", result.Error);
    }

    [Fact]
    public void UnsupportedEncoding_Is415()
    {
        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(Body), "application/json", "br", PushFormat.Json, 1 << 20);

        Assert.Equal(415, result.StatusCode);
        Assert.Equal("Content-Encoding \"br\" not supported", result.Error);
    }

    [Fact]
    public void DeeplyNestedUnknownField_Is400NotAnException()
    {
        var json = "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + ",\"streams\":[]}";

        var result = TestData.DecodeJson(json);

        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("invalid JSON push request: ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"NaN\"", "invalid timestamp \"NaN\": expected a decimal integer of nanoseconds since the Unix epoch")]
    [InlineData("\"-1\"", "invalid timestamp \"-1\": must not be negative")]
    [InlineData("\"99999999999999999999\"", "invalid timestamp \"99999999999999999999\": out of range for nanoseconds since the Unix epoch")]
    [InlineData("\"1.5e9\"", "invalid timestamp \"1.5e9\": expected a decimal integer of nanoseconds since the Unix epoch")]
    [InlineData("\"\"", "invalid timestamp \"\": expected a decimal integer of nanoseconds since the Unix epoch")]
    [InlineData("1700000000000000000", "invalid timestamp: expected a string of nanoseconds since the Unix epoch, got a number")]
    [InlineData("null", "invalid timestamp: expected a string of nanoseconds since the Unix epoch, got null")]
    public void BadTimestamps_Are400WithClearMessage(string timestamp, string error)
    {
        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[" + timestamp + ",\"x\"]]}]}");

        Assert.Equal(400, result.StatusCode);
        Assert.Equal(error, result.Error);
    }

    [Theory]
    [InlineData("[[\"1\"]]", "invalid JSON push request: an entry needs a timestamp and a line")]
    [InlineData("[[\"1\",42]]", "invalid log line: expected a string, got a number")]
    [InlineData("[[\"1\",\"x\",{\"k\":1}]]", "invalid structured metadata: value of \"k\" must be a string, got a number")]
    [InlineData("[[\"1\",\"x\",{},\"extra\"]]", "invalid JSON push request: an entry array must contain 2 or 3 values")]
    [InlineData("{}", "invalid JSON push request: \"values\" must be an array")]
    public void MalformedValues_Are400(string values, string error)
    {
        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":" + values + "}]}");

        Assert.Equal(400, result.StatusCode);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void StreamValueNotString_Is400()
    {
        var result = TestData.DecodeJson("{\"streams\":[{\"stream\":{\"a\":1},\"values\":[]}]}");

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid stream: value of \"a\" must be a string, got a number", result.Error);
    }

    [Fact]
    public void TruncatedJson_Is400()
    {
        var result = TestData.DecodeJson(Body[..40]);

        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("invalid JSON push request: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralStreams_EachKeepOnlyTheirOwnEntries()
    {
        var result = TestData.DecodeJson(
            "{\"streams\":[" +
            "{\"stream\":{\"s\":\"1\"},\"values\":[[\"1\",\"a1\"],[\"2\",\"a2\"],[\"3\",\"a3\"]]}," +
            "{\"stream\":{\"s\":\"2\"},\"values\":[[\"4\",\"b1\"]]}," +
            "{\"stream\":{\"s\":\"3\"},\"values\":[[\"5\",\"c1\"]],\"values\":[[\"6\",\"c2\"]]}," +
            "{\"stream\":{\"s\":\"4\"},\"values\":[]}]}");

        Assert.True(result.Success, result.Error);
        Assert.Equal(["a1", "a2", "a3"], result.Streams[0].Entries.Select(TestData.Line));
        Assert.Equal(["b1"], result.Streams[1].Entries.Select(TestData.Line));
        Assert.Equal(["c1", "c2"], result.Streams[2].Entries.Select(TestData.Line));
        Assert.Empty(result.Streams[3].Entries);
        Assert.Equal([5L, 6L], result.Streams[2].Entries.Select(e => e.TimestampNs));
    }
}
