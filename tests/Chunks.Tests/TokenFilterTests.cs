using System.Text;
using Xunit.Abstractions;
using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

public sealed class TokenFilterTests(ITestOutputHelper output)
{
    [Fact]
    public void MayContain_AnySubstringOfAnyLine_IsNeverRejected()
    {
        var random = new Random(42);
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 16 * 1024 });
        var lines = new List<byte[]>();
        for (var i = 0; i < 2000; i++)
        {
            var line = i % 4 == 0 ? RandomBytes(random, random.Next(0, 80)) : Encoding.UTF8.GetBytes(RandomLogLine(random));
            lines.Add(line);
            chunk.Append(new LogEntry(i, line, null));
        }

        chunk.CutHeadBlock();
        var reader = ChunkReader.Open(chunk.Encode("{}"));
        foreach (var block in reader.Blocks)
        {
            var blockLines = lines.Skip((int)block.MinTimeNs).Take(block.EntryCount).ToList();
            for (var probe = 0; probe < 300; probe++)
            {
                var line = blockLines[random.Next(blockLines.Count)];
                var start = random.Next(line.Length + 1);
                var length = random.Next(line.Length - start + 1);
                var literal = line.AsSpan(start, length);

                Assert.True(block.MayContain(literal), $"false negative for {Convert.ToHexString(literal)}");
                Assert.True(block.MayContain(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(literal).ToUpperInvariant())) || literal.ContainsAnyInRange((byte)0x80, (byte)0xFF),
                    "false negative for the upper-cased literal");
            }
        }
    }

    [Fact]
    public void MayContain_AbsentLiteral_IsUsuallyRejected()
    {
        var random = new Random(1);
        var chunk = new MemChunk(new ChunkOptions { BlockSize = 64 * 1024 });
        for (var i = 0; i < 10_000; i++)
        {
            chunk.Append(Entry(i, RandomLogLine(random)));
        }

        var reader = ChunkReader.Open(chunk.Encode("{}"));
        string[] absent = ["panic: runtime error", "OutOfMemoryException", "segfault", "kubelet", "deadline exceeded"];
        var rejected = reader.Blocks.Sum(b => absent.Count(a => !b.MayContain(Encoding.UTF8.GetBytes(a))));
        var total = reader.Blocks.Count * absent.Length;

        output.WriteLine($"pruned {rejected}/{total}");
        Assert.True(rejected >= total * 0.9, $"only {rejected} of {total} block/literal pairs were pruned");
        Assert.True(reader.Blocks.All(b => b.MayContain("level=error"u8) && b.MayContain("LEVEL=ERROR"u8)));

        var passed = 0;
        for (var i = 0; i < 1000; i++)
        {
            var literal = Encoding.ASCII.GetBytes(new string(Enumerable.Range(0, 8).Select(_ => (char)('a' + random.Next(26))).ToArray()));
            passed += reader.Blocks.Count(b => b.MayContain(literal));
        }

        var rate = passed * 100.0 / (1000 * reader.Blocks.Count);
        output.WriteLine($"random 8-letter literals pass {rate:F2}% of blocks");
        Assert.True(rate < 5, $"false-positive rate {rate:F2}%");
    }

    [Fact]
    public void MayContain_ShortLiteralOrNoFilter_IsAlwaysTrue()
    {
        var chunk = new MemChunk(new ChunkOptions { TokenFilter = false });
        chunk.Append(Entry(1, "abcdef"));
        chunk.CutHeadBlock();
        var withFilter = new MemChunk(new ChunkOptions());
        withFilter.Append(Entry(1, "abcdef"));
        withFilter.CutHeadBlock();

        Assert.True(chunk.Blocks[0].TokenFilter.IsEmpty);
        Assert.True(chunk.Blocks[0].MayContain("zzzz"u8));
        Assert.True(withFilter.Blocks[0].MayContain("zz"u8));
        Assert.True(withFilter.Blocks[0].MayContain(""u8));
        Assert.True(withFilter.Blocks[0].MayContain("CDE"u8));
        Assert.False(withFilter.Blocks[0].MayContain("zzzz"u8));
    }

    [Fact]
    public void Iterate_WithMayContainBlockFilter_SkipsBlocksWithoutTheNeedle()
    {
        var chunk = new MemChunk(new ChunkOptions());
        for (var block = 0; block < 8; block++)
        {
            for (var i = 0; i < 50; i++)
            {
                chunk.Append(Entry((block * 100) + i, block == 5 && i == 7 ? "level=error msg=\"disk quota exceeded\"" : $"level=info msg=\"request served\" n={i}"));
            }

            chunk.CutHeadBlock();
        }

        var reader = ChunkReader.Open(chunk.Encode("{}"));
        var needle = "quota exceeded"u8.ToArray();

        var hits = reader.Iterate(long.MinValue, long.MaxValue, false, b => b.MayContain(needle))
            .Where(e => e.Line.Span.IndexOf(needle) >= 0).ToList();

        Assert.Equal(507, Assert.Single(hits).TimestampNs);
        Assert.Equal(1, reader.BlocksDecompressed);
    }

    [Fact]
    public void TokenFilter_StorageOverhead_IsBoundedOnRealisticLogs()
    {
        var random = new Random(2);
        var lines = Enumerable.Range(0, 20_000).Select(i => Entry(i, RandomLogLine(random))).ToList();
        var with = new MemChunk(new ChunkOptions { TargetCompressedSize = int.MaxValue });
        var without = new MemChunk(new ChunkOptions { TokenFilter = false, TargetCompressedSize = int.MaxValue });
        foreach (var e in lines)
        {
            with.Append(e);
            without.Append(e);
        }

        var withBytes = with.Encode("{}").Length;
        var withoutBytes = without.Encode("{}").Length;
        var overhead = (withBytes - withoutBytes) * 100.0 / withoutBytes;
        output.WriteLine($"uncompressed {with.UncompressedBytes} B, chunk {withoutBytes} B without filters, {withBytes} B with: +{overhead:F1}%");

        Assert.InRange(overhead, 1, 12);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
