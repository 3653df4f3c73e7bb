using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Orleans.Loki.Push.Wire;

namespace Orleans.Loki.Push.Tests;

/// <summary>
/// Protobuf wire semantics the push decoder must keep although it reads the wire format itself: unknown fields of
/// every wire type are skipped, repeated message fields append, repeated scalars keep the last value, a message
/// field sent twice is merged, and a known field with another wire type is treated as unknown.
/// </summary>
public sealed class LokiProtobufWireTests
{
    private static PushDecodeResult Decode(byte[] message) =>
        PushDecoder.Decode(Snappier.Snappy.CompressToArray(message), "application/x-protobuf", null, PushFormat.Protobuf, 1 << 20);

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        write(output);
        output.Flush();
        return memory.ToArray();
    }

    private static void Nested(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    private static byte[] Entry(long seconds, int nanos, string line) =>
        new EntryAdapter { Timestamp = new Timestamp { Seconds = seconds, Nanos = nanos }, Line = ByteString.CopyFromUtf8(line) }.ToByteArray();

    [Fact]
    public void UnknownFieldsOfEveryWireType_AreSkippedAtEveryLevel()
    {
        byte[] entry = [.. Entry(1_700_000_000, 5, "kept"), .. Message(o =>
        {
            o.WriteTag(9, WireFormat.WireType.Fixed64);
            o.WriteFixed64(42);
            o.WriteTag(10, WireFormat.WireType.Fixed32);
            o.WriteFixed32(7);
            o.WriteTag(11, WireFormat.WireType.StartGroup);
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(3);
            o.WriteTag(12, WireFormat.WireType.StartGroup);
            o.WriteTag(12, WireFormat.WireType.EndGroup);
            o.WriteTag(11, WireFormat.WireType.EndGroup);
        })];
        var stream = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("{app=\"a\"}");
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteUInt64(123456789);
            o.WriteTag(15, WireFormat.WireType.LengthDelimited);
            o.WriteString("ignored");
            Nested(o, 2, entry);
        });
        var request = Message(o =>
        {
            o.WriteTag(7, WireFormat.WireType.Varint);
            o.WriteInt32(-1);
            Nested(o, 1, stream);
        });

        var result = Decode(request);

        Assert.True(result.Success, result.Error);
        var decoded = Assert.Single(result.Streams);
        Assert.Equal("{app=\"a\"}", decoded.Labels);
        var only = Assert.Single(decoded.Entries);
        Assert.Equal(1_700_000_000_000_000_005, only.TimestampNs);
        Assert.Equal("kept", TestData.Line(only));
    }

    [Fact]
    public void RepeatedScalarsKeepTheLastValue_AndATimestampSentTwiceIsMerged()
    {
        var entry = Message(o =>
        {
            Nested(o, 1, new Timestamp { Seconds = 1_600_000_000, Nanos = 9 }.ToByteArray());
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString("first");
            // Only seconds: merging keeps the nanos of the first occurrence.
            Nested(o, 1, new Timestamp { Seconds = 1_700_000_000 }.ToByteArray());
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString("second");
        });
        var stream = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("{app=\"old\"}");
            Nested(o, 2, entry);
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("{app=\"new\"}");
            Nested(o, 2, Entry(1_700_000_001, 0, "third"));
        });

        var result = Decode(Message(o => Nested(o, 1, stream)));

        Assert.True(result.Success, result.Error);
        var decoded = Assert.Single(result.Streams);
        Assert.Equal("{app=\"new\"}", decoded.Labels);
        Assert.Equal(2, decoded.Entries.Count);
        Assert.Equal(1_700_000_000_000_000_009, decoded.Entries[0].TimestampNs);
        Assert.Equal("second", TestData.Line(decoded.Entries[0]));
        Assert.Equal("third", TestData.Line(decoded.Entries[1]));
    }

    [Fact]
    public void KnownFieldWithAnotherWireType_IsSkippedAsUnknown()
    {
        byte[] entry = [.. Entry(1_700_000_000, 0, "line"), .. Message(o =>
        {
            // Field 2 (line) as a varint: not the declared type, so it is an unknown field and the line stays.
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(5);
        })];
        var stream = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("{app=\"a\"}");
            Nested(o, 2, entry);
        });

        var result = Decode(Message(o => Nested(o, 1, stream)));

        Assert.True(result.Success, result.Error);
        Assert.Equal("line", TestData.Line(Assert.Single(result.Streams[0].Entries)));
    }

    [Fact]
    public void NegativeNanos_AreRejectedWithTheTimestampText()
    {
        var stream = new StreamAdapter { Labels = "{app=\"a\"}" };
        stream.Entries.Add(new EntryAdapter { Timestamp = new Timestamp { Seconds = 1_700_000_000, Nanos = -1 }, Line = ByteString.CopyFromUtf8("x") });
        var request = new PushRequest();
        request.Streams.Add(stream);

        var result = Decode(request.ToByteArray());

        Assert.False(result.Success);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid timestamp: nanos -1 out of range [0, 999999999]", result.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A })] // stream declares 5 bytes, 1 follows
    [InlineData(new byte[] { 0x0A, 0x02, 0x12, 0x80 })] // entry length varint cut short
    [InlineData(new byte[] { 0x0B, 0x08, 0x01 })] // group never closed
    [InlineData(new byte[] { 0x0C })] // end group without a start
    [InlineData(new byte[] { 0x0E, 0x00 })] // wire type 6
    [InlineData(new byte[] { 0x00, 0x00 })] // field number 0
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // varint of 11 bytes
    public void MalformedWireData_Is400WithAProtoError(byte[] message)
    {
        var result = Decode(message);

        Assert.False(result.Success);
        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("proto: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LinesAreSlicesOfThePooledBuffer_UntilTheResultIsDisposed()
    {
        var request = new PushRequest();
        var stream = new StreamAdapter { Labels = "{app=\"a\"}" };
        for (var i = 0; i < 100; i++)
        {
            stream.Entries.Add(new EntryAdapter { Timestamp = new Timestamp { Seconds = 1_700_000_000 + i }, Line = ByteString.CopyFromUtf8($"line {i}") });
        }
        request.Streams.Add(stream);

        var result = Decode(request.ToByteArray());
        Assert.True(result.Success, result.Error);
        var lines = result.Streams[0].Entries.Select(e => e.Line).ToList();
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(lines[0], out var first));
        Assert.All(lines, line =>
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(line, out var segment));
            Assert.Same(first.Array, segment.Array);
        });
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i}"), result.Streams[0].Entries.Select(TestData.Line));

        result.Dispose();
        result.Dispose(); // a second dispose must not return the buffer twice
    }
}
