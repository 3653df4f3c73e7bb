using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Orleans.Loki.Push.Wire;

namespace Orleans.Loki.Push.Tests;

public sealed class LokiProtobufDecodeTests
{
    internal static byte[] Snappy(IMessage message) => Snappier.Snappy.CompressToArray(message.ToByteArray());

    private static PushRequest Request(long seconds, int nanos)
    {
        var entry = new EntryAdapter { Timestamp = new Timestamp { Seconds = seconds, Nanos = nanos }, Line = ByteString.CopyFromUtf8("line one") };
        entry.StructuredMetadata.Add(new LabelPairAdapter { Name = "trace_id", Value = "abc" });
        var stream = new StreamAdapter { Labels = "{job=\"api\", env=\"prod\"}" };
        stream.Entries.Add(entry);
        stream.Entries.Add(new EntryAdapter { Timestamp = new Timestamp { Seconds = seconds + 1 }, Line = ByteString.CopyFromUtf8("line two") });
        var request = new PushRequest();
        request.Streams.Add(stream);
        return request;
    }

    [Fact]
    public void BuiltRequest_DecodesTimestampsLinesAndMetadata()
    {
        var body = Snappy(Request(1_700_000_000, 123));

        var result = PushDecoder.Decode(body, "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.True(result.Success, result.Error);
        var stream = Assert.Single(result.Streams);
        Assert.Equal("{job=\"api\", env=\"prod\"}", stream.Labels);
        Assert.Equal(1_700_000_000_000_000_123, stream.Entries[0].TimestampNs);
        Assert.Equal("line one", TestData.Line(stream.Entries[0]));
        Assert.Equal([new("trace_id", "abc")], stream.Entries[0].Metadata!);
        Assert.Equal(1_700_000_001_000_000_000, stream.Entries[1].TimestampNs);
        Assert.Null(stream.Entries[1].Metadata);
    }

    [Fact]
    public void MissingContentType_IsTreatedAsSnappyProtobuf()
    {
        var result = PushDecoder.Decode(Snappy(Request(1_700_000_000, 0)), null, null, PushFormat.Protobuf, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal(2, result.Streams[0].Entries.Count);
    }

    [Fact]
    public void SnappyContentEncoding_IsAcceptedAndIgnored()
    {
        var result = PushDecoder.Decode(Snappy(Request(1_700_000_000, 0)), "application/x-protobuf", "snappy", PushFormat.Protobuf, 1 << 20);

        Assert.True(result.Success, result.Error);
    }

    [Fact]
    public void GzipWrappedProtobuf_IsInflatedThenSnappyDecoded()
    {
        var body = TestData.Gzip(Snappy(Request(1_700_000_000, 0)));

        var result = PushDecoder.Decode(body, "application/x-protobuf", "gzip", PushFormat.Protobuf, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal("line two", TestData.Line(result.Streams[0].Entries[1]));
    }

    [Fact]
    public void InvalidUtf8Line_IsKeptAsRawBytes()
    {
        var request = new PushRequest();
        var stream = new StreamAdapter { Labels = "{a=\"b\"}" };
        stream.Entries.Add(new EntryAdapter { Timestamp = new Timestamp { Seconds = 1 }, Line = ByteString.CopyFrom(0x61, 0xff, 0xfe, 0x62) });
        request.Streams.Add(stream);

        var result = PushDecoder.Decode(Snappy(request), "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(new byte[] { 0x61, 0xff, 0xfe, 0x62 }, result.Streams[0].Entries[0].Line.ToArray());
    }

    [Fact]
    public void DeclaredLengthAboveLimit_Is413_BeforeDecompressing()
    {
        // A snappy preamble claiming 1 GiB followed by garbage: must be refused on the header alone.
        byte[] body = [0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x01, 0x02];

        var result = PushDecoder.Decode(body, "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.False(result.Success);
        Assert.Equal(413, result.StatusCode);
        Assert.Equal("request body too large: decompressed message size too large than max (1073741824 vs 1048576)", result.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void MalformedSnappyPreamble_Is400(byte[] body)
    {
        var result = PushDecoder.Decode(body, "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("snappy: corrupt input", result.Error);
    }

    [Fact]
    public void DeclaredLengthLongerThanData_Is400()
    {
        var body = Snappy(Request(1_700_000_000, 0));
        body[0] = (byte)(body[0] + 5);

        var result = PushDecoder.Decode(body, "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("snappy: corrupt input", result.Error);
    }

    [Fact]
    public void TruncatedSnappy_Is400()
    {
        var body = Snappy(Request(1_700_000_000, 0));

        var result = PushDecoder.Decode(body.AsSpan(0, body.Length / 2), "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("snappy: corrupt input", result.Error);
    }

    [Fact]
    public void TruncatedProtobuf_Is400WithProtoError()
    {
        var raw = Request(1_700_000_000, 0).ToByteArray();
        var body = Snappier.Snappy.CompressToArray(raw.AsSpan(0, raw.Length - 3));

        var result = PushDecoder.Decode(body, "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("proto: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageBody_Is400()
    {
        var body = "this is not snappy at all"u8.ToArray();

        var result = PushDecoder.Decode(body, "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public void TimestampBeyond2262_Is400WithClearMessage()
    {
        var result = PushDecoder.Decode(Snappy(Request(10_000_000_000, 0)), "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid timestamp: seconds 10000000000 is outside the range representable in nanoseconds since the Unix epoch (1970-01-01 to 2262-04-11)", result.Error);
    }

    [Fact]
    public void NegativeTimestamp_Is400()
    {
        var result = PushDecoder.Decode(Snappy(Request(-5, 0)), "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("invalid timestamp: seconds -5", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyBody_DecodesToNoStreams()
    {
        var result = PushDecoder.Decode([], "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

        Assert.True(result.Success);
        Assert.Empty(result.Streams);
    }
}
