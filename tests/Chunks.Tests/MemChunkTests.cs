using System.Text;
using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

public sealed class MemChunkTests
{
    private static readonly ChunkOptions _smallBlocks = new() { BlockSize = 256 };

    [Fact]
    public void Iterate_HeadOnly_ReturnsEntriesWithMetadataUnicodeAndEmptyLines()
    {
        var chunk = new MemChunk(new ChunkOptions());
        LogEntry[] entries =
        [
            Entry(10, "plain line"),
            Entry(11, "", ("trace_id", "abc")),
            Entry(12, "ünïcödé ✓ 日本語 🚀", ("user", "zoë"), ("trace_id", "abc")),
            Entry(13, "last"),
        ];
        foreach (var e in entries)
        {
            Assert.Equal(AppendOutcome.Appended, chunk.Append(e));
        }

        Assert.Equal(Keys(entries), Keys(chunk.Iterate(long.MinValue, long.MaxValue, backward: false)));
        Assert.Equal(4, chunk.EntryCount);
        Assert.Equal(4, chunk.HeadEntryCount);
        Assert.Equal(0, chunk.CompressedBytes);
        Assert.Equal(10, chunk.MinTimeNs);
        Assert.Equal(13, chunk.MaxTimeNs);
    }

    [Fact]
    public void Iterate_AcrossCutBlocksAndHead_ReturnsAllEntriesInOrder()
    {
        var chunk = new MemChunk(_smallBlocks);
        var entries = Enumerable.Range(0, 100).Select(i => Entry(1000 + i, $"line number {i} with some padding text", ("i", (i % 7).ToString()))).ToList();
        foreach (var e in entries)
        {
            chunk.Append(e);
        }

        Assert.True(chunk.Blocks.Count > 5, $"expected several cut blocks, got {chunk.Blocks.Count}");
        Assert.True(chunk.HeadEntryCount > 0);
        Assert.Equal(Keys(entries), Keys(chunk.Iterate(0, long.MaxValue, backward: false)));
        Assert.Equal(Enumerable.Reverse(Keys(entries)), Keys(chunk.Iterate(0, long.MaxValue, backward: true)));
    }

    [Fact]
    public void Iterate_RangeIsHalfOpen()
    {
        var chunk = new MemChunk(_smallBlocks);
        for (var i = 0; i < 50; i++)
        {
            chunk.Append(Entry(i * 10, $"entry {i} padded to make blocks cut more often"));
        }

        var forward = chunk.Iterate(100, 200, backward: false).Select(e => e.TimestampNs).ToList();
        var backward = chunk.Iterate(100, 200, backward: true).Select(e => e.TimestampNs).ToList();

        Assert.Equal([100, 110, 120, 130, 140, 150, 160, 170, 180, 190], forward);
        Assert.Equal(Enumerable.Reverse(forward), backward);
        Assert.Empty(chunk.Iterate(200, 200, backward: false));
        Assert.Empty(chunk.Iterate(491, 1000, backward: false));
    }

    [Fact]
    public void Append_OutOfOrder_IteratesSortedWithTiesInInsertionOrder()
    {
        var chunk = new MemChunk(new ChunkOptions());
        LogEntry[] entries = [Entry(30, "c"), Entry(10, "a"), Entry(20, "b1"), Entry(20, "b2"), Entry(5, "z"), Entry(20, "b3")];
        foreach (var e in entries)
        {
            chunk.Append(e);
        }

        Assert.Equal(["z", "a", "b1", "b2", "b3", "c"], chunk.Iterate(0, 100, false).Select(Line));
        Assert.Equal(["c", "b3", "b2", "b1", "a", "z"], chunk.Iterate(0, 100, true).Select(Line));
    }

    [Fact]
    public void Append_OutOfOrderAcrossBlocks_MergesBlocksInTimestampOrder()
    {
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 64 });
        var random = new Random(7);
        var entries = Enumerable.Range(0, 300).Select(i => Entry(random.Next(0, 50), $"entry-{i:D4}-xxxxxxxxxxxxxxxx")).ToList();
        foreach (var e in entries)
        {
            Assert.Equal(AppendOutcome.Appended, chunk.Append(e));
        }

        Assert.True(chunk.Blocks.Count > 10);
        var expected = Sorted(entries);
        Assert.Equal(expected, Keys(chunk.Iterate(long.MinValue, long.MaxValue, false)));
        expected.Reverse();
        Assert.Equal(expected, Keys(chunk.Iterate(long.MinValue, long.MaxValue, true)));
    }

    [Fact]
    public void Append_ExactDuplicateInHead_IsDroppedButSameTimeOtherLineIsKept()
    {
        var chunk = new MemChunk(new ChunkOptions());

        Assert.Equal(AppendOutcome.Appended, chunk.Append(Entry(100, "hello")));
        Assert.Equal(AppendOutcome.Appended, chunk.Append(Entry(100, "hello world")));
        Assert.Equal(AppendOutcome.Appended, chunk.Append(Entry(101, "hello")));
        Assert.Equal(AppendOutcome.Duplicate, chunk.Append(Entry(100, "hello")));
        Assert.Equal(AppendOutcome.Duplicate, chunk.Append(Entry(100, "hello world", ("meta", "differs"))));

        Assert.Equal(3, chunk.EntryCount);
        Assert.Equal(["hello", "hello world", "hello"], chunk.Iterate(0, 1000, false).Select(Line));
    }

    [Fact]
    public void Append_DuplicateOfAlreadyCutBlock_IsAppended()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(100, "hello"));
        chunk.CutHeadBlock();

        Assert.Equal(AppendOutcome.Appended, chunk.Append(Entry(100, "hello")));
        Assert.Equal(2, chunk.EntryCount);
    }

    [Fact]
    public void Append_CopiesLine_CallerMayReuseItsBuffer()
    {
        var chunk = new MemChunk(new ChunkOptions());
        var buffer = Encoding.UTF8.GetBytes("original");
        chunk.Append(new LogEntry(1, buffer, null));
        "mutated!"u8.CopyTo(buffer);

        Assert.Equal("original", Line(chunk.Iterate(0, 10, false).Single()));
        chunk.CutHeadBlock();
        Assert.Equal("original", Line(chunk.Iterate(0, 10, false).Single()));
    }

    [Fact]
    public void Append_ReachingBlockSize_CutsHeadBlock()
    {
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 100 });
        chunk.Append(Entry(1, new string('a', 60)));
        Assert.Empty(chunk.Blocks);

        chunk.Append(Entry(2, new string('b', 40)));

        var block = Assert.Single(chunk.Blocks);
        Assert.Equal(0, chunk.HeadEntryCount);
        Assert.Equal(2, block.EntryCount);
        Assert.Equal(1, block.MinTimeNs);
        Assert.Equal(2, block.MaxTimeNs);
        Assert.Equal(block.Length, chunk.CompressedBytes);
        Assert.Equal(100, chunk.UncompressedBytes);
    }

    [Fact]
    public void UncompressedBytes_CountsLinesAndMetadata()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(1, "abc", ("k", "vv")));
        chunk.Append(Entry(2, "é"));

        Assert.Equal(3 + 1 + 2 + 2, chunk.UncompressedBytes);
    }

    [Fact]
    public void IsFull_BecomesTrueAtTargetCompressedSize()
    {
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 1024, TargetCompressedSize = 8 * 1024 });
        var random = new Random(1);
        var appended = 0;
        while (!chunk.IsFull)
        {
            chunk.Append(Entry(appended, RandomLogLine(random)));
            appended++;
            Assert.True(appended < 10_000, "chunk never became full");
        }

        Assert.True(chunk.CompressedBytes + 1024 + 400 >= 8 * 1024);
        Assert.True(chunk.CompressedBytes < 8 * 1024);
    }

    [Fact]
    public void Append_LineOverLimit_Throws()
    {
        var chunk = new MemChunk(new ChunkOptions());
        var entry = new LogEntry(1, new byte[ChunkLimits.MaxLineBytes + 1], null);

        Assert.Throws<ArgumentException>(() => chunk.Append(entry));
        Assert.Equal(0, chunk.EntryCount);
    }

    [Fact]
    public void Options_NonPositiveSizes_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkOptions { BlockSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkOptions { TargetCompressedSize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkOptions { BlockSize = ChunkLimits.MaxBlockSizeOption + 1 });
    }

    [Fact]
    public void Iterate_BlockFilter_SkipsRejectedCutBlocksButNotHead()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(1, "in block one"));
        chunk.CutHeadBlock();
        chunk.Append(Entry(2, "in block two"));
        chunk.CutHeadBlock();
        chunk.Append(Entry(3, "in head"));

        var lines = chunk.Iterate(0, 10, false, b => b.MinTimeNs != 1).Select(Line);

        Assert.Equal(["in block two", "in head"], lines);
    }

    [Fact]
    public void Append_AfterWarmUp_AllocatesNothingPerEntry()
    {
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 64 * 1024 });
        var random = new Random(4);
        var entries = Enumerable.Range(0, 3000).Select(i => Entry(i, RandomLogLine(random), ("pod", $"p{i % 3}"))).ToArray();
        var next = 0;
        while (chunk.Blocks.Count == 0)
        {
            chunk.Append(entries[next++]);
        }

        // The second block reuses the head buffers the first one grew; measure well before it fills.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            chunk.Append(entries[next++]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"200 appends allocated {allocated} bytes");
    }

    [Fact]
    public void Iterate_EmptyChunk_ReturnsNothing()
    {
        var chunk = new MemChunk(new ChunkOptions());

        Assert.Empty(chunk.Iterate(long.MinValue, long.MaxValue, false));
        Assert.Equal(0, chunk.MinTimeNs);
        Assert.Equal(0, chunk.MaxTimeNs);
        Assert.False(chunk.IsFull);
    }
}
