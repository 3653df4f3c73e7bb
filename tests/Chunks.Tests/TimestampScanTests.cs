using System.Text;
using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

/// <summary>
/// <see cref="BlockScanner.ScanTimestamps"/> (the columns only, lines not decompressed) against <see cref="BlockScanner.Scan"/>
/// (every entry with its line): the same timestamps, metadata and line bytes for every range and layout.
/// </summary>
public sealed class TimestampScanTests
{
    private static readonly string[] s_levels = ["info", "warn", "error", "debug"];

    public static TheoryData<bool, bool, int> Layouts => new()
    {
        // newline layout / length layout (a line holds a newline), LZ4 / zstd, entries per block
        { false, false, 3000 },
        { true, false, 3000 },
        { false, true, 3000 },
        { true, true, 3000 },
        { false, false, 1 },
        // Many distinct metadata sets and long symbols: the columns outgrow the first partial-decode guess.
        { false, false, 40 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ScanTimestamps_EveryRange_MatchesTheFullScan(bool lengthLayout, bool zstd, int entries)
    {
        var random = new Random(entries + (lengthLayout ? 1 : 0) + (zstd ? 2 : 0));
        var chunk = new MemChunk(new ChunkOptions());
        var start = 1_764_000_000_000_000_000L;
        for (var i = 0; i < entries; i++)
        {
            // Out of order within the block, some equal timestamps, per-line metadata (as detected_level).
            var ts = start + (random.Next(entries) * 1_000_000L) + (i % 3 == 0 ? 0 : random.Next(1000));
            var line = RandomLogLine(random) + (lengthLayout && i % 100 == 7 ? "\nsecond line" : "");
            var metadata = entries == 40
                ? new[] { ("detected_level", s_levels[i % 4]), ("trace", new string((char)('a' + (i % 26)), 300 + i)) }
                : i % 5 == 0 ? [] : new[] { ("detected_level", s_levels[random.Next(4)]) };
            chunk.Append(Entry(ts, line, metadata));
        }
        chunk.CutHeadBlock();
        var bytes = chunk.Encode("{}");
        if (zstd)
        {
            bytes = BlockCodec.Recompress(bytes, 3);
        }
        var reader = ChunkReader.Open(bytes);
        Assert.NotEmpty(reader.Blocks);
        for (var number = 0; number < reader.Blocks.Count; number++)
        {
            var meta = reader.Blocks[number];
            var all = Full(bytes, meta, number, long.MinValue, long.MaxValue);
            var times = all.Select(e => e.Ts).Distinct().Order().ToArray();
            var bounds = new List<(long, long)> { (long.MinValue, long.MaxValue), (meta.MinTimeNs, meta.MaxTimeNs + 1), (meta.MinTimeNs, meta.MaxTimeNs) };
            for (var k = 0; k < 12; k++)
            {
                var a = times[random.Next(times.Length)];
                var b = times[random.Next(times.Length)];
                bounds.Add((Math.Min(a, b), Math.Max(a, b)));
                bounds.Add((a, long.MaxValue));
                bounds.Add((long.MinValue, a));
            }

            foreach (var (from, through) in bounds)
            {
                var expected = Full(bytes, meta, number, from, through);
                var visitor = new TimestampCollector();
                BlockScanner.ScanTimestamps(bytes, meta, number, from, through, ref visitor, out var lineBytes);

                Assert.Equal(expected.Select(e => (e.Ts, Labels(e.Metadata))), visitor.Entries.Select(e => (e.Ts, Labels(visitor.Sets[e.Block][e.Set]))));
                Assert.Equal(expected.Sum(e => (long)e.LineBytes), lineBytes);
            }
        }
    }

    [Fact]
    public void ScanTimestamps_Lz4_DecodesOnlyUpToTheLines()
    {
        var chunk = new MemChunk(new ChunkOptions());
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            chunk.Append(Entry(1_000_000L * i, RandomLogLine(random), ("detected_level", s_levels[i % 4])));
        }
        chunk.CutHeadBlock();
        var bytes = chunk.Encode("{}");
        var meta = ChunkReader.Open(bytes).Blocks[0];
        var visitor = new TimestampCollector();

        var decoded = BlockScanner.ScanTimestamps(bytes, meta, 0, long.MinValue, long.MaxValue, ref visitor, out _);

        Assert.Equal(meta.EntryCount, visitor.Entries.Count);
        Assert.True(decoded < meta.UncompressedLength / 4, $"{decoded} of {meta.UncompressedLength} bytes decompressed");
    }

    [Fact]
    public void ScanTimestamps_CorruptBlock_FailsLikeTheFullScan()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(1, "a"));
        chunk.Append(Entry(2, "b"));
        chunk.CutHeadBlock();
        var bytes = chunk.Encode("{}");
        var meta = Assert.Single(ChunkReader.Open(bytes).Blocks);
        bytes[(int)meta.Offset + 1] ^= 0xFF;
        var visitor = new TimestampCollector();

        var e = Assert.Throws<InvalidChunkException>(() => BlockScanner.ScanTimestamps(bytes, meta, 0, long.MinValue, long.MaxValue, ref visitor, out _));

        Assert.Contains("checksum mismatch", e.Message);
    }

    private static string Labels(KeyValuePair<string, string>[]? metadata) =>
        metadata is null ? "" : string.Join(",", metadata.Select(p => $"{p.Key}={p.Value}"));

    private static List<(long Ts, int LineBytes, KeyValuePair<string, string>[]? Metadata)> Full(byte[] chunk, BlockMeta meta, int number, long from, long through)
    {
        var visitor = new LineCollector();
        BlockScanner.Scan(chunk, meta, number, from, through, ref visitor);
        return visitor.Entries;
    }

    private struct LineCollector() : IEntryVisitor
    {
        public List<(long Ts, int LineBytes, KeyValuePair<string, string>[]? Metadata)> Entries { get; } = [];

        public readonly bool Visit(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
        {
            Assert.Equal(line.Length, Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(line)));
            Entries.Add((timestampNs, line.Length, metadata));
            return true;
        }
    }

    private struct TimestampCollector() : ITimestampVisitor
    {
        public List<KeyValuePair<string, string>[]?[]> Sets { get; } = [];

        public List<(long Ts, int Block, int Set)> Entries { get; } = [];

        public readonly void BeginBlock(KeyValuePair<string, string>[]?[] metadataSets) => Sets.Add(metadataSets);

        public readonly void Visit(long timestampNs, int metadataSet) => Entries.Add((timestampNs, Sets.Count - 1, metadataSet));
    }
}
