using System.Buffers;
using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

public sealed class EntryBatchTests
{
    private static readonly LogEntry[] _sample =
    [
        Entry(1_700_000_000_000_000_000, "first", ("trace_id", "t1"), ("user", "zoë")),
        Entry(1_699_999_999_000_000_000, ""),
        Entry(-42, "négatif 🚀"),
        Entry(long.MaxValue, "max", ("trace_id", "t1")),
        Entry(long.MinValue, "min"),
    ];

    [Fact]
    public void Decode_EncodedBatch_RoundTripsInOriginalOrder()
    {
        var record = EntryBatch.Encode(_sample);

        Assert.Equal(Keys(_sample), Keys(EntryBatch.Decode(record)));
    }

    [Fact]
    public void SharedAndRepeatedMetadataArrays_RoundTripPerEntry()
    {
        // The encoder looks metadata ids up by array reference: shared arrays, arrays coming back after others, equal
        // contents in different arrays and arrays of several pairs must each still encode their own pairs.
        KeyValuePair<string, string>[] info = [new("detected_level", "info")];
        KeyValuePair<string, string>[] error = [new("detected_level", "error")];
        KeyValuePair<string, string>[] infoCopy = [new("detected_level", "info")];
        KeyValuePair<string, string>[] two = [new("trace_id", "abc"), new("detected_level", "warn")];
        var metadata = new[] { info, info, error, info, two, null, error, infoCopy, two, info };
        var entries = metadata.Select((m, i) => new LogEntry(1_700_000_000_000_000_000 + i, System.Text.Encoding.UTF8.GetBytes($"line {i}"), m)).ToArray();

        var decoded = EntryBatch.Decode(EntryBatch.Encode(entries));

        Assert.Equal(entries.Length, decoded.Count);
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.Equal(entries[i].Metadata, decoded[i].Metadata);
        }
        Assert.Equal(Keys(entries), Keys(decoded));
    }

    [Fact]
    public void Encode_ToBufferWriter_MatchesArrayEncoding()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write("prefix"u8);

        EntryBatch.Encode(writer, _sample);

        Assert.Equal(EntryBatch.Encode(_sample), writer.WrittenSpan[6..].ToArray());
    }

    [Fact]
    public void Decode_EmptyBatch_ReturnsNoEntries()
    {
        var record = EntryBatch.Encode([]);

        Assert.Empty(EntryBatch.Decode(record));
        Assert.Equal(EntryBatch.HeaderSize + 2, record.Length);
    }

    [Fact]
    public void Decode_AnySingleByteFlip_FailsWithInvalidChunk()
    {
        var record = EntryBatch.Encode(_sample);
        for (var i = 0; i < record.Length; i++)
        {
            var corrupt = (byte[])record.Clone();
            corrupt[i] ^= 0x04;

            var e = Record.Exception(() => EntryBatch.Decode(corrupt));

            Assert.True(e is InvalidChunkException, $"flipping byte {i} gave {e?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Decode_TruncatedOrTrailingBytes_Fails()
    {
        var record = EntryBatch.Encode(_sample);
        for (var length = 0; length < record.Length; length++)
        {
            Assert.Throws<InvalidChunkException>(() => EntryBatch.Decode(record.AsMemory(0, length)));
        }

        var e = Assert.Throws<InvalidChunkException>(() => EntryBatch.Decode(record.Concat(new byte[] { 0 }).ToArray()));
        Assert.Contains("trailing", e.Message);
    }

    [Fact]
    public void Decode_PayloadCorruption_ReportsChecksumMismatch()
    {
        var record = EntryBatch.Encode(_sample);
        record[EntryBatch.HeaderSize + 5] ^= 0xFF;

        var e = Assert.Throws<InvalidChunkException>(() => EntryBatch.Decode(record));

        Assert.Contains("payload checksum mismatch", e.Message);
        Assert.Equal(EntryBatch.HeaderSize, e.Offset);
    }

    [Fact]
    public void ReadSegment_ConsecutiveRecords_ReturnsAllEntries()
    {
        var a = EntryBatch.Encode(_sample[..2]);
        var b = EntryBatch.Encode(_sample[2..]);
        var c = EntryBatch.Encode([]);
        var segment = a.Concat(b).Concat(c).ToArray();

        var result = EntryBatch.ReadSegment(segment);

        Assert.Equal(Keys(_sample), Keys(result.Entries));
        Assert.Equal(3, result.RecordCount);
        Assert.False(result.TornTail);
        Assert.Equal(segment.Length, result.ValidLength);
    }

    [Fact]
    public void ReadSegment_EveryTornTailLength_KeepsCompleteRecordsAndReportsTear()
    {
        var first = EntryBatch.Encode(_sample[..3]);
        var second = EntryBatch.Encode(_sample[3..]);
        var full = first.Concat(second).ToArray();
        for (var length = first.Length + 1; length < full.Length; length++)
        {
            var result = EntryBatch.ReadSegment(full.AsMemory(0, length));

            Assert.True(result.TornTail, $"length {length}");
            Assert.Equal(1, result.RecordCount);
            Assert.Equal(first.Length, result.ValidLength);
            Assert.Equal(Keys(_sample[..3]), Keys(result.Entries));
        }
    }

    [Fact]
    public void ReadSegment_ZeroFilledTail_IsTornNotCorrupt()
    {
        var first = EntryBatch.Encode(_sample);
        var segment = first.Concat(new byte[100]).ToArray();

        var result = EntryBatch.ReadSegment(segment);

        Assert.True(result.TornTail);
        Assert.Equal(1, result.RecordCount);
        Assert.Equal(first.Length, result.ValidLength);
    }

    [Fact]
    public void ReadSegment_CorruptionInCompleteMiddleRecord_Throws()
    {
        var a = EntryBatch.Encode(_sample[..2]);
        var b = EntryBatch.Encode(_sample[2..]);
        var segment = a.Concat(b).Concat(a).ToArray();
        segment[a.Length + EntryBatch.HeaderSize + 3] ^= 0x10;
        var before = (byte[])segment.Clone();

        var e = Assert.Throws<InvalidChunkException>(() => EntryBatch.ReadSegment(segment));

        Assert.Contains("payload checksum mismatch", e.Message);
        Assert.Equal(a.Length + EntryBatch.HeaderSize, e.Offset);
        Assert.Equal(before, segment);
    }

    [Fact]
    public void ReadSegment_CorruptHeaderOfMiddleRecord_ThrowsRatherThanTreatingAsTorn()
    {
        var a = EntryBatch.Encode(_sample[..2]);
        var segment = a.Concat(a).Concat(a).ToArray();
        segment[a.Length + 9] ^= 0x01;

        var e = Assert.Throws<InvalidChunkException>(() => EntryBatch.ReadSegment(segment));

        Assert.Contains("header checksum mismatch", e.Message);
    }

    [Fact]
    public void ReadSegment_GarbageTail_Throws()
    {
        var a = EntryBatch.Encode(_sample[..2]);
        var segment = a.Concat("garbage"u8.ToArray()).ToArray();

        Assert.Throws<InvalidChunkException>(() => EntryBatch.ReadSegment(segment));
    }

    [Fact]
    public void ReadSegment_Empty_HasNoRecords()
    {
        var result = EntryBatch.ReadSegment(ReadOnlyMemory<byte>.Empty);

        Assert.Empty(result.Entries);
        Assert.Equal(0, result.RecordCount);
        Assert.False(result.TornTail);
    }

    [Fact]
    public void Decode_LinesSliceTheRecord_WithoutCopying()
    {
        var record = EntryBatch.Encode([Entry(1, "abc")]);

        var entry = Assert.Single(EntryBatch.Decode(record));

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(entry.Line, out var segment));
        Assert.Same(record, segment.Array);
    }
}
