using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

public sealed class ChunkCorruptionTests
{
    private static byte[] SampleChunk()
    {
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 300 });
        var random = new Random(9);
        for (var i = 0; i < 40; i++)
        {
            chunk.Append(Entry(i * 10, RandomLogLine(random), ("k", "v")));
        }

        return chunk.Encode("{app=\"x\"}");
    }

    /// <summary>Reads everything: open, then decompress and parse every block.</summary>
    private static void ReadAll(byte[] bytes)
    {
        var reader = ChunkReader.Open(bytes);
        _ = reader.Iterate(long.MinValue, long.MaxValue, false).Count();
    }

    [Fact]
    public void ReadAll_FlipOfAnySingleByte_FailsWithInvalidChunk()
    {
        var original = SampleChunk();
        for (var i = 0; i < original.Length; i++)
        {
            var corrupt = (byte[])original.Clone();
            corrupt[i] ^= 0x20;

            var e = Record.Exception(() => ReadAll(corrupt));

            Assert.True(e is InvalidChunkException, $"flipping byte {i} of {original.Length} gave {e?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Open_EveryTruncation_FailsWithInvalidChunk()
    {
        var original = SampleChunk();
        for (var length = 0; length < original.Length; length++)
        {
            var truncated = original.AsMemory(0, length);

            Assert.Throws<InvalidChunkException>(() => ChunkReader.Open(truncated));
        }
    }

    [Fact]
    public void Open_BadMagicVersionCodecReserved_NameTheField()
    {
        var original = SampleChunk();
        (int Offset, string Message)[] cases = [(0, "bad magic"), (4, "unsupported version"), (5, "unsupported codec"), (6, "reserved bytes")];
        foreach (var (offset, message) in cases)
        {
            var corrupt = (byte[])original.Clone();
            corrupt[offset] = 0x7F;

            var e = Assert.Throws<InvalidChunkException>(() => ChunkReader.Open(corrupt));

            Assert.Contains(message, e.Message);
        }
    }

    [Fact]
    public void Iterate_CorruptBlock_ReportsChecksumExpectedActualAndOffset()
    {
        var original = SampleChunk();
        var reader = ChunkReader.Open(original);
        var second = reader.Blocks[1];
        var corrupt = (byte[])original.Clone();
        corrupt[second.Offset + 1] ^= 0xFF;
        var corruptReader = ChunkReader.Open(corrupt);

        var e = Assert.Throws<InvalidChunkException>(() => corruptReader.Iterate(long.MinValue, long.MaxValue, false).ToList());

        Assert.Equal(second.Offset, e.Offset);
        Assert.Contains($"block 1: checksum mismatch (expected 0x{second.Crc32C:x8}, actual 0x", e.Message);
        Assert.Throws<InvalidChunkException>(corruptReader.VerifyBlocks);
    }

    [Fact]
    public void Iterate_CorruptBlockOutsideRange_IsNotTouched()
    {
        var original = SampleChunk();
        var reader = ChunkReader.Open(original);
        var last = reader.Blocks[^1];
        var corrupt = (byte[])original.Clone();
        corrupt[last.Offset] ^= 0xFF;

        var entries = ChunkReader.Open(corrupt).Iterate(reader.Blocks[0].MinTimeNs, reader.Blocks[0].MaxTimeNs + 1, false).ToList();

        Assert.Equal(reader.Blocks[0].EntryCount, entries.Count);
    }

    [Fact]
    public void Open_CorruptIndex_FailsWithIndexChecksumMismatch()
    {
        var original = SampleChunk();
        var corrupt = (byte[])original.Clone();
        corrupt[^25] ^= 0x01;

        var e = Assert.Throws<InvalidChunkException>(() => ChunkReader.Open(corrupt));

        Assert.Contains("chunk index: checksum mismatch", e.Message);
    }

    [Fact]
    public void Open_CorruptFooter_FailsWithFooterChecksumMismatch()
    {
        var original = SampleChunk();
        var corrupt = (byte[])original.Clone();
        corrupt[^10] ^= 0x01;

        var e = Assert.Throws<InvalidChunkException>(() => ChunkReader.Open(corrupt));

        Assert.Contains("chunk footer: checksum mismatch", e.Message);
    }

    [Fact]
    public void ReadAll_OnFailure_LeavesInputUntouched()
    {
        var original = SampleChunk();
        var corrupt = (byte[])original.Clone();
        corrupt[ChunkReader.Open(original).Blocks[0].Offset + 3] ^= 0x55;
        var before = (byte[])corrupt.Clone();

        Assert.Throws<InvalidChunkException>(() => ReadAll(corrupt));

        Assert.Equal(before, corrupt);
    }

    [Fact]
    public void Encode_DoesNotChangeTheChunkContents()
    {
        var chunk = new MemChunk(new ChunkOptions());
        chunk.Append(Entry(1, "one"));
        chunk.Append(Entry(2, "two"));
        var before = Keys(chunk.Iterate(0, 10, false));

        chunk.Encode("{}");

        Assert.Equal(before, Keys(chunk.Iterate(0, 10, false)));
        Assert.Equal(2, chunk.EntryCount);
    }
}
