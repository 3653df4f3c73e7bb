using static Orleans.Loki.Chunks.Tests.TestData;

namespace Orleans.Loki.Chunks.Tests;

/// <summary>Random operation sequences checked against a plain list model; seeds are fixed so failures reproduce.</summary>
public sealed class ChunkPropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void RandomAppendsCutsAndQueries_MatchTheModel(int seed)
    {
        var random = new Random(seed);
        var options = new ChunkOptions { BlockSize = random.Next(64, 4096), TokenFilter = random.Next(2) == 0 };
        var chunk = new MemChunk(options);
        var model = new List<LogEntry>();
        var head = new List<LogEntry>();
        var baseTs = random.NextInt64(-1_000_000, 1_000_000);
        var operations = random.Next(200, 1500);
        for (var op = 0; op < operations; op++)
        {
            if (random.Next(50) == 0)
            {
                chunk.CutHeadBlock();
                head.Clear();
                continue;
            }

            LogEntry entry;
            if (head.Count > 0 && random.Next(10) == 0)
            {
                // Re-send an entry from the head: must be dropped as a duplicate (metadata does not matter).
                var original = head[random.Next(head.Count)];
                entry = original with { Metadata = [new("other", "meta")] };
            }
            else
            {
                var ts = baseTs + random.Next(0, 500) * (random.Next(4) == 0 ? 1 : 1000);
                // Some blocks get a multi-line entry, which switches them from newline-terminated lines to a length column.
                var line = random.Next(8) == 0 ? "" : random.Next(40) == 0 ? RandomLogLine(random) + "\n\tat " + RandomLogLine(random) : RandomLogLine(random);
                entry = random.Next(3) == 0 ? Entry(ts, line, ("pod", $"p{random.Next(4)}"), ("trace", $"{random.Next(100)}")) : Entry(ts, line);
            }

            var expectDuplicate = head.Any(h => h.TimestampNs == entry.TimestampNs && h.Line.Span.SequenceEqual(entry.Line.Span));

            var outcome = chunk.Append(entry);

            Assert.Equal(expectDuplicate ? AppendOutcome.Duplicate : AppendOutcome.Appended, outcome);
            if (!expectDuplicate)
            {
                model.Add(entry);
                head.Add(entry);
            }

            if (chunk.HeadEntryCount == 0)
            {
                head.Clear();
            }

            Assert.Equal(head.Count, chunk.HeadEntryCount);
        }

        Assert.Equal(model.Count, chunk.EntryCount);
        var bytes = chunk.Encode("{seed=\"" + seed + "\"}");
        var reader = ChunkReader.Open(bytes);
        Assert.Equal(model.Count, reader.EntryCount);
        Assert.Equal(model.Min(e => e.TimestampNs), reader.MinTimeNs);
        Assert.Equal(model.Max(e => e.TimestampNs), reader.MaxTimeNs);

        for (var q = 0; q < 30; q++)
        {
            var from = baseTs + random.Next(-10, 500_000);
            var through = from + random.Next(0, 300_000);
            var backward = random.Next(2) == 0;
            var expected = Sorted(model.Where(e => e.TimestampNs >= from && e.TimestampNs < through));
            if (backward)
            {
                expected.Reverse();
            }

            Assert.Equal(expected, Keys(chunk.Iterate(from, through, backward)));
            Assert.Equal(expected, Keys(reader.Iterate(from, through, backward)));
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void RandomBatches_RoundTripThroughASegment(int seed)
    {
        var random = new Random(seed);
        var batches = new List<LogEntry[]>();
        var segment = new List<byte>();
        for (var b = 0; b < random.Next(1, 20); b++)
        {
            var batch = Enumerable.Range(0, random.Next(0, 50))
                .Select(_ => random.Next(2) == 0
                    ? Entry(random.NextInt64(long.MinValue, long.MaxValue), RandomLogLine(random))
                    : Entry(random.NextInt64(0, 1000), RandomLogLine(random), ("k", $"{random.Next(3)}")))
                .ToArray();
            batches.Add(batch);
            segment.AddRange(EntryBatch.Encode(batch));
        }

        var result = EntryBatch.ReadSegment(segment.ToArray());

        Assert.Equal(batches.Count, result.RecordCount);
        Assert.False(result.TornTail);
        Assert.Equal(Keys(batches.SelectMany(b => b)), Keys(result.Entries));
    }
}
