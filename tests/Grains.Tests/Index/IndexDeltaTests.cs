using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Index;

namespace Orleans.Loki.Grains.Tests.Index;

/// <summary>The index's base file plus delta log format: what a process that restarts after a crash reads back.</summary>
public sealed class IndexDeltaTests
{
    private static List<IndexChange> Changes(int from, int count)
    {
        var changes = new List<IndexChange>();
        for (var i = from; i < from + count; i++)
        {
            var (labels, fp) = StreamClient.Stream(("app", $"app-{i % 3}"), ("instance", $"i-{i}"));
            changes.Add(new IndexChange(fp, labels, null));
            if (i % 2 == 0)
            {
                changes.Add(new IndexChange(fp, labels, new ChunkRef($"chunk-{i}", i, i + 10, 5, 100, 40)));
            }
        }
        return changes;
    }

    private static SeriesIndex Apply(IEnumerable<IndexChange> changes)
    {
        var index = new SeriesIndex();
        foreach (var c in changes)
        {
            if (c.Chunk is null)
            {
                index.AddSeries(c.Fingerprint, c.Labels);
            }
            else
            {
                index.AddChunk(c.Fingerprint, c.Labels, c.Chunk);
            }
        }
        return index;
    }

    private static List<string> Describe(SeriesIndex index) =>
        [.. index.AllSeries.Select(s => $"{s.Fingerprint:x16} {s.Labels} [{string.Join(",", s.Chunks.Select(c => $"{c.Key}:{c.FromNs}-{c.ThroughNs}:{c.Entries}:{c.UncompressedBytes}:{c.CompressedBytes}"))}]").Order(StringComparer.Ordinal)];

    [Fact]
    public void BaseAndDeltaRecords_ReadBack_AsTheSameIndex()
    {
        var first = Changes(0, 10);
        var baseFile = IndexFile.Write(Apply(first), generation: 7);
        List<IndexChange>[] records = [Changes(10, 5), Changes(15, 1), Changes(16, 20)];
        var log = records.SelectMany(IndexFile.WriteDelta).ToArray();

        var read = IndexFile.Read(baseFile, "k", out var generation);
        var result = IndexFile.ReadDelta(read, log);

        Assert.Equal(7, generation);
        Assert.Equal((3, log.Length, false), (result.Records, result.ValidBytes, result.TornTail));
        Assert.Equal(Describe(Apply([.. first, .. records.SelectMany(r => r)])), Describe(read));
        Assert.Equal(36, read.SeriesCount);
    }

    [Fact]
    public void TornTail_AtEveryLength_KeepsEveryWholeRecordBeforeIt()
    {
        var a = IndexFile.WriteDelta(Changes(0, 3));
        var b = IndexFile.WriteDelta(Changes(3, 4));
        var log = a.Concat(b).ToArray();
        var expected = Describe(Apply(Changes(0, 3)));

        for (var length = a.Length; length < log.Length; length++)
        {
            var index = new SeriesIndex();
            var result = IndexFile.ReadDelta(index, log[..length]);
            Assert.Equal((1, a.Length, length > a.Length), (result.Records, result.ValidBytes, result.TornTail));
            Assert.Equal(expected, Describe(index));
        }
    }

    [Fact]
    public void CorruptRecord_IsTreatedAsTheTail()
    {
        var a = IndexFile.WriteDelta(Changes(0, 3));
        var b = IndexFile.WriteDelta(Changes(3, 4));
        var log = a.Concat(b).ToArray();
        log[a.Length + 12] ^= 0x40;

        var index = new SeriesIndex();
        var result = IndexFile.ReadDelta(index, log);

        Assert.Equal((1, true), (result.Records, result.TornTail));
        Assert.Equal(3, index.SeriesCount);
    }

    [Fact]
    public void Compaction_OfBaseAndDeltas_GivesTheSameSeries()
    {
        var index = IndexFile.Read(IndexFile.Write(Apply(Changes(0, 50)), 1), "k");
        IndexFile.ReadDelta(index, [.. IndexFile.WriteDelta(Changes(50, 50)), .. IndexFile.WriteDelta(Changes(25, 50))]);

        var compacted = IndexFile.Read(IndexFile.Write(index, 2), "k", out var generation);

        Assert.Equal(2, generation);
        Assert.Equal(100, compacted.SeriesCount);
        Assert.Equal(Describe(index), Describe(compacted));
        Assert.Equal(Describe(Apply(Changes(0, 100))), Describe(compacted));
    }

    [Fact]
    public void Version1BaseFile_StillReads_AsGeneration0()
    {
        var v2 = IndexFile.Write(Apply(Changes(0, 4)), 0);
        // Version 1 is version 2 without the generation (0 takes one byte), under its own checksum.
        var body = v2[..4].Append((byte)1).Concat(v2[6..^4]).ToArray();
        var crc = System.IO.Hashing.Crc32.HashToUInt32(body);
        var v1 = body.Concat(BitConverter.GetBytes(crc)).ToArray();

        var read = IndexFile.Read(v1, "k", out var generation);

        Assert.Equal(0, generation);
        Assert.Equal(Describe(Apply(Changes(0, 4))), Describe(read));
    }
}
