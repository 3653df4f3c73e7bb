using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

public sealed class ChunkReaderTests
{
    private const string Labels = "{app=\"api\", env=\"prod\", zone=\"ünï\"}";

    [Fact]
    public void Open_EncodedChunk_RoundTripsEntriesLabelsAndStats()
    {
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 512 });
        var random = new Random(3);
        var entries = Enumerable.Range(0, 200)
            .Select(i => Entry(1_700_000_000_000_000_000 + i * 1_000_000L, i % 10 == 0 ? "" : RandomLogLine(random), ("pod", $"pod-{i % 3}"), ("trace", $"{i}")))
            .ToList();
        entries.Add(Entry(1_700_000_000_000_000_000 + 5, "🚀 unicode é 日本", ("ключ", "значение")));
        foreach (var e in entries)
        {
            chunk.Append(e);
        }

        var bytes = chunk.Encode(Labels);
        var reader = ChunkReader.Open(bytes);

        Assert.Equal(Labels, reader.Labels);
        Assert.Equal(entries.Count, reader.EntryCount);
        Assert.Equal(chunk.MinTimeNs, reader.MinTimeNs);
        Assert.Equal(chunk.MaxTimeNs, reader.MaxTimeNs);
        Assert.Equal(chunk.Blocks.Count, reader.Blocks.Count);
        var expected = Sorted(entries);
        Assert.Equal(expected, Keys(reader.Iterate(long.MinValue, long.MaxValue, false)));
        expected.Reverse();
        Assert.Equal(expected, Keys(reader.Iterate(long.MinValue, long.MaxValue, true)));
    }

    [Fact]
    public void Iterate_TimeRange_DecompressesOnlyOverlappingBlocks()
    {
        var chunk = new MemChunk(new ChunkOptions());
        for (var block = 0; block < 10; block++)
        {
            for (var i = 0; i < 10; i++)
            {
                chunk.Append(Entry((block * 100) + i, $"block {block} entry {i}"));
            }

            chunk.CutHeadBlock();
        }

        var reader = ChunkReader.Open(chunk.Encode("{a=\"1\"}"));
        Assert.Equal(10, reader.Blocks.Count);

        var result = reader.Iterate(305, 502, backward: false).Select(e => e.TimestampNs).ToList();

        Assert.Equal([305, 306, 307, 308, 309, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 500, 501], result);
        Assert.Equal(3, reader.BlocksDecompressed);

        _ = reader.Iterate(900, 901, backward: true).ToList();
        Assert.Equal(4, reader.BlocksDecompressed);

        _ = reader.Iterate(10, 100, backward: false).ToList();
        Assert.Equal(4, reader.BlocksDecompressed);
    }

    [Fact]
    public void Iterate_StoppedEarly_DoesNotDecompressLaterBlocks()
    {
        var chunk = new MemChunk(new ChunkOptions());
        for (var block = 0; block < 5; block++)
        {
            chunk.Append(Entry(block, $"block {block}"));
            chunk.CutHeadBlock();
        }

        var reader = ChunkReader.Open(chunk.Encode("{}"));

        var first = reader.Iterate(0, 100, backward: true).First();

        Assert.Equal(4, first.TimestampNs);
        Assert.Equal(1, reader.BlocksDecompressed);
    }

    [Fact]
    public void Encode_ThenReappendDecodedEntries_ReproducesIdenticalBytes()
    {
        var options = new ChunkOptions { BlockSize = 2048 };
        var original = new MemChunk(options);
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            original.Append(Entry(i * 7, RandomLogLine(random), ("k", $"{i % 5}")));
        }

        var bytes = original.Encode("{job=\"x\"}");
        var reader = ChunkReader.Open(bytes);
        var copy = new MemChunk(options);
        foreach (var e in reader.Iterate(long.MinValue, long.MaxValue, false))
        {
            copy.Append(e);
        }

        Assert.Equal(bytes, copy.Encode(reader.Labels));
    }

    [Fact]
    public void Encode_TwiceWithoutAppends_IsDeterministic()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(1, "a"));

        Assert.Equal(chunk.Encode("{}"), chunk.Encode("{}"));
    }

    [Fact]
    public void Open_EmptyChunk_HasNoEntries()
    {
        var reader = ChunkReader.Open(new MemChunk(new ChunkOptions()).Encode("{a=\"b\"}"));

        Assert.Equal("{a=\"b\"}", reader.Labels);
        Assert.Equal(0, reader.EntryCount);
        Assert.Empty(reader.Blocks);
        Assert.Empty(reader.Iterate(long.MinValue, long.MaxValue, false));
    }

    [Fact]
    public void Open_ExtremeTimestamps_RoundTrip()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(long.MaxValue - 1, "max"));
        chunk.Append(Entry(long.MinValue, "min"));
        chunk.Append(Entry(0, "zero"));
        chunk.Append(Entry(-5, "negative"));

        var reader = ChunkReader.Open(chunk.Encode("{}"));

        Assert.Equal(["min", "negative", "zero", "max"], reader.Iterate(long.MinValue, long.MaxValue, false).Select(Line));
        Assert.Equal(long.MinValue, reader.MinTimeNs);
        Assert.Equal(long.MaxValue - 1, reader.MaxTimeNs);
    }

    [Fact]
    public void Encode_UsesEachLz4LevelAndReadsBack()
    {
        foreach (var level in new[] { K4os.Compression.LZ4.LZ4Level.L00_FAST, K4os.Compression.LZ4.LZ4Level.L09_HC })
        {
            var chunk = new MemChunk(new ChunkOptions { Level = level });
            var random = new Random(5);
            var entries = Enumerable.Range(0, 100).Select(i => Entry(i, RandomLogLine(random))).ToList();
            foreach (var e in entries)
            {
                chunk.Append(e);
            }

            Assert.Equal(Keys(entries), Keys(ChunkReader.Open(chunk.Encode("{}")).Iterate(0, 1000, false)));
        }
    }
}
