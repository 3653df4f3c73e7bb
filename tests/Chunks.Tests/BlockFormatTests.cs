using System.Text;
using K4os.Compression.LZ4;
using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

/// <summary>The columnar block layout (format version 2): line layouts, timestamp scale, metadata sets, filter sizing, parser validation.</summary>
public sealed class BlockFormatTests
{
    [Fact]
    public void Cut_LinesWithoutNewline_EndTheBlockNewlineTerminatedInOrder()
    {
        var chunk = new MemChunk(new ChunkOptions());
        string[] lines = ["b second", "", "a first", "c third"];
        chunk.Append(Entry(20, lines[0]));
        chunk.Append(Entry(30, lines[1]));
        chunk.Append(Entry(10, lines[2]));
        chunk.Append(Entry(40, lines[3]));
        chunk.CutHeadBlock();

        var block = Decompress(chunk, 0);

        Assert.EndsWith("a first\nb second\n\nc third\n", Encoding.UTF8.GetString(block));
        Assert.Equal(["a first", "b second", "", "c third"], chunk.Iterate(long.MinValue, long.MaxValue, false).Select(Line));
    }

    [Fact]
    public void Cut_LineWithNewline_StoresLengthsAndRoundTrips()
    {
        var chunk = new MemChunk(new ChunkOptions());
        string[] lines = ["first", "multi\nline\n", "\n", "", "last"];
        for (var i = 0; i < lines.Length; i++)
        {
            chunk.Append(Entry(i, lines[i]));
        }

        chunk.CutHeadBlock();
        var block = Decompress(chunk, 0);
        var reader = ChunkReader.Open(chunk.Encode("{}"));

        Assert.EndsWith(string.Concat(lines), Encoding.UTF8.GetString(block));
        Assert.Equal(lines, reader.Iterate(long.MinValue, long.MaxValue, false).Select(Line));
        Assert.Equal(lines.Reverse(), reader.Iterate(long.MinValue, long.MaxValue, true).Select(Line));
        Assert.Equal(lines, Scan(reader, 0).Select(e => e.Line));
    }

    [Fact]
    public void Cut_MillisecondTimestamps_TakeOneByteEachAndRoundTrip()
    {
        var start = 1_764_000_000_000_000_000L;
        var milliseconds = new MemChunk(new ChunkOptions());
        var nanoseconds = new MemChunk(new ChunkOptions());
        var random = new Random(3);
        var expected = new List<long>();
        var ts = start;
        for (var i = 0; i < 1000; i++)
        {
            ts += random.Next(1, 100) * 1_000_000L;
            expected.Add(ts);
            milliseconds.Append(Entry(ts, "same line"));
            nanoseconds.Append(Entry(ts + (i % 7), "same line"));
        }

        milliseconds.CutHeadBlock();
        nanoseconds.CutHeadBlock();
        var reader = ChunkReader.Open(milliseconds.Encode("{}"));

        Assert.Equal(expected, reader.Iterate(long.MinValue, long.MaxValue, false).Select(e => e.TimestampNs));
        // A delta of up to 99 ms takes 4 varint bytes in nanoseconds, 1 in units of the common 1 ms.
        Assert.True(nanoseconds.Blocks[0].UncompressedLength - milliseconds.Blocks[0].UncompressedLength >= 2500,
            $"{milliseconds.Blocks[0].UncompressedLength} vs {nanoseconds.Blocks[0].UncompressedLength} bytes");
    }

    [Fact]
    public void Cut_EqualAndExtremeTimestamps_RoundTrip()
    {
        var chunk = new MemChunk(new ChunkOptions());
        long[] timestamps = [5, 5, 5, long.MinValue, long.MaxValue - 1, 5, -3, long.MaxValue - 1];
        for (var i = 0; i < timestamps.Length; i++)
        {
            chunk.Append(Entry(timestamps[i], $"line {i}"));
        }

        var reader = ChunkReader.Open(chunk.Encode("{}"));

        Assert.Equal(
            [(long.MinValue, "line 3"), (-3, "line 6"), (5, "line 0"), (5, "line 1"), (5, "line 2"), (5, "line 5"), (long.MaxValue - 1, "line 4"), (long.MaxValue - 1, "line 7")],
            reader.Iterate(long.MinValue, long.MaxValue, false).Select(e => (e.TimestampNs, Line(e))));
    }

    [Fact]
    public void Cut_RepeatedMetadata_IsStoredOncePerBlock()
    {
        var with = new MemChunk(new ChunkOptions());
        var without = new MemChunk(new ChunkOptions());
        for (var i = 0; i < 1000; i++)
        {
            with.Append(Entry(i, "line", ("detected_level", "info")));
            without.Append(Entry(i, "line"));
        }

        with.CutHeadBlock();
        without.CutHeadBlock();

        // One set shared by every entry: the symbols and the set, no per-entry column.
        Assert.InRange(with.Blocks[0].UncompressedLength - without.Blocks[0].UncompressedLength, 1, 40);
        Assert.All(with.Iterate(long.MinValue, long.MaxValue, false), e => Assert.Equal([new("detected_level", "info")], e.Metadata!));
    }

    [Fact]
    public void Cut_VariedMetadataSets_RoundTripPerEntry()
    {
        (string, string)[][] sets =
        [
            [],
            [("detected_level", "info")],
            [("detected_level", "error")],
            [("a", "1"), ("b", "2")],
            [("b", "2"), ("a", "1")],
            [("a", "1"), ("a", "1")],
            [("ünï", "cødé"), ("", "")],
        ];
        var random = new Random(8);
        var entries = Enumerable.Range(0, 500).Select(i => Entry(i, RandomLogLine(random), sets[random.Next(sets.Length)])).ToList();
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 8 * 1024 });
        foreach (var e in entries)
        {
            chunk.Append(e);
        }

        var reader = ChunkReader.Open(chunk.Encode("{}"));

        Assert.True(reader.Blocks.Count > 3);
        Assert.Equal(Keys(entries), Keys(reader.Iterate(long.MinValue, long.MaxValue, false)));
        Assert.Equal(Keys(entries), Keys(chunk.Iterate(long.MinValue, long.MaxValue, false)));
        Assert.Equal(Keys(entries), Enumerable.Range(0, reader.Blocks.Count).SelectMany(b => Scan(reader, b)).Select(e => Key(new LogEntry(e.Ts, Encoding.UTF8.GetBytes(e.Line), e.Metadata))));
    }

    [Fact]
    public void TokenFilter_SizeFollowsDistinctTrigramsNotLineBytes()
    {
        var repetitive = new MemChunk(new ChunkOptions());
        var varied = new MemChunk(new ChunkOptions());
        var random = new Random(4);
        for (var i = 0; i < 2000; i++)
        {
            repetitive.Append(Entry(i, "level=info msg=\"request served\" status=200 path=/api/v1/push"));
            varied.Append(Entry(i, Convert.ToHexString(BitConverter.GetBytes(random.NextInt64())) + " " + RandomWord(random) + " " + RandomWord(random)));
        }

        repetitive.CutHeadBlock();
        varied.CutHeadBlock();
        var small = repetitive.Blocks[0].TokenFilter.Length;
        var large = varied.Blocks[0].TokenFilter.Length;

        Assert.Equal(0, small % 8);
        Assert.Equal(0, large % 8);
        // ~60 distinct trigrams at 2 bits each vs ~4,000 hex trigrams plus ~20,000 random-word trigrams.
        Assert.InRange(small, 8, 32);
        Assert.InRange(large, 4096, 8192);
        Assert.True(repetitive.Blocks[0].MayContain("REQUEST SERVED"u8));
        Assert.False(repetitive.Blocks[0].MayContain("request failed"u8));
    }

    [Theory]
    [InlineData("unknown line layout", 0, 1, 7, "")]
    [InlineData("no line terminator", 0, 1, 2, "a\nb")]
    [InlineData("unexpected trailing bytes", 0, 1, 2, "a\nb\nc\n")]
    [InlineData("timestamp scale is 0", 0, 0, 2, "a\nb\n")]
    [InlineData("past the block's maximum", 20, 1, 2, "a\nb\n")]
    [InlineData("last timestamp", 5, 1, 2, "a\nb\n")]
    public void Decode_MalformedBlock_FailsNamingTheField(string message, int secondDelta, int scale, byte layout, string lines)
    {
        // Two entries at 0 and 10, one empty metadata set, no set column; the fields under test vary.
        var block = new List<byte> { 0, 1, 0, (byte)scale, 2, 0, (byte)secondDelta, 0, layout };
        block.AddRange(Encoding.UTF8.GetBytes(lines));
        var meta = new BlockMeta(0, 10, 2, 8, 0, block.Count, 0, default);

        var e = Assert.Throws<InvalidChunkException>(() => Parse([.. block], meta));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Decode_SetIndexOutOfRange_Fails()
    {
        // Two sets (empty; k=v), set column [0, 2]: 2 is not a set.
        byte[] block = [2, 1, (byte)'k', 1, (byte)'v', 2, 0, 1, 0, 1, 1, 2, 0, 10, 2, 0, 2, 2, (byte)'a', (byte)'\n', (byte)'b', (byte)'\n'];
        var meta = new BlockMeta(0, 10, 2, 8, 0, block.Length, 0, default);

        var e = Assert.Throws<InvalidChunkException>(() => Parse(block, meta));

        Assert.Contains("metadata set", e.Message);
        Assert.Equal(["a", "b"], ParseLines([.. block[..16], 1, .. block[17..]], meta));
    }

    private static List<string> ParseLines(byte[] block, BlockMeta meta) => [.. Parse(block, meta).Select(Line)];

    private static LogEntry[] Parse(byte[] block, BlockMeta meta)
    {
        var compressed = new byte[LZ4Codec.MaximumOutputSize(block.Length)];
        var length = LZ4Codec.Encode(block, compressed, LZ4Level.L00_FAST);
        var withCrc = new BlockMeta(meta.MinTimeNs, meta.MaxTimeNs, meta.EntryCount, meta.Offset, length, block.Length, Crc32C.Compute(compressed.AsSpan(0, length)), default);
        return BlockDecoder.Decode(compressed.AsSpan(0, length), withCrc, 0);
    }

    private static byte[] Decompress(MemChunk chunk, int block)
    {
        var bytes = chunk.Encode("{}");
        var meta = ChunkReader.Open(bytes).Blocks[block];
        var buffer = new byte[meta.UncompressedLength];
        Assert.Equal(buffer.Length, LZ4Codec.Decode(bytes.AsSpan((int)meta.Offset, meta.Length), buffer));
        return buffer;
    }

    private static List<(long Ts, string Line, KeyValuePair<string, string>[]? Metadata)> Scan(ChunkReader reader, int block)
    {
        var visitor = new Collector();
        var chunkBytes = reader.GetType().GetField("_chunk", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(reader)!;
        BlockScanner.Scan(((ReadOnlyMemory<byte>)chunkBytes).Span, reader.Blocks[block], block, long.MinValue, long.MaxValue, ref visitor);
        return visitor.Entries;
    }

    private static string RandomWord(Random random) => new([.. Enumerable.Range(0, 8).Select(_ => (char)('a' + random.Next(26)))]);

    private struct Collector() : IEntryVisitor
    {
        public List<(long Ts, string Line, KeyValuePair<string, string>[]? Metadata)> Entries { get; } = [];

        public readonly bool Visit(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
        {
            Entries.Add((timestampNs, Encoding.UTF8.GetString(line), metadata));
            return true;
        }
    }
}
