using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// Counts and rates without stages read only the blocks' timestamp and metadata columns; a line filter that keeps
/// every line takes the full path (every line through the pipeline). Both must give the same samples and counts,
/// also over out-of-order writes, chunks that overlap, entries stored twice and entries still in memory.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TimestampCountTests(ClusterFixture fixture)
{
    private static readonly string[] s_levels = ["info", "warn", "error", "debug"];

    [Fact]
    public async Task CountWithoutStages_OverflushedOverlappingAndDuplicatedEntries_EqualsTheFullPath()
    {
        var tenant = "tscount-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var (labels, fp) = StreamClient.Stream(("app", "counts"), ("env", "test"));
        var now = TestClock.NowNs;
        var random = new Random(11);
        // Distinct timestamps shuffled within stretches of 300 (blocks overlap in time), but every 400th entry shares its
        // neighbour's (a different line).
        var slots = Enumerable.Range(0, 4000).OrderBy(i => (i / 300 * 1_000_000) + random.Next(1_000_000)).ToArray();
        var entries = Enumerable.Range(0, 4000).Select(i => new LogEntry(
            now + (slots[i % 400 == 1 ? i - 1 : i] * 1_000_000L),
            Encoding.UTF8.GetBytes($"level={s_levels[i % 4]} msg=\"entry {i}\" pad={Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))}"),
            i % 7 == 0 ? null : [new("detected_level", s_levels[random.Next(4)])])).ToArray();
        // Out of order within each push and overlapping chunks; the entries of one 100 ms stretch stored twice (in both
        // chunks) and the last ones still in memory.
        for (var i = 0; i < 3000; i += 600)
        {
            await client.PushAsync(labels, fp, entries[i..(i + 600)]);
        }
        await client.Grain(fp).FlushAsync();
        var twice = entries[..3000].Where(e => e.TimestampNs >= now + 1_000_000_000L && e.TimestampNs < now + 1_100_000_000L);
        await client.PushAsync(labels, fp, [.. entries[3000..3600], .. twice]);
        await client.Grain(fp).FlushAsync();
        await client.PushAsync(labels, fp, entries[3600..4000]);

        var from = now + 500_000_000L;
        var through = now + 3_700_000_000L;
        var windows = new StepWindows(from + 60_000_000L, 100_000_000L, 30, 250_000_000L);
        foreach (var grouping in new[] { null, ["detected_level"], new[] { "env", "level" } })
        {
            foreach (var w in new[] { null, windows })
            {
                // With the in-memory entries (the stream grain still holds its flushed chunks: every timestamp is
                // then stored twice and read with its line) and without (only the stretch stored twice is).
                foreach (var unflushed in new[] { true, false })
                {
                    var fast = await client.SelectSamplesAsync([new("app", "=", "counts")], from, through, "count_over_time({app=\"counts\"}[1m])", grouping, w, unflushed);
                    var full = await client.SelectSamplesAsync([new("app", "=", "counts")], from, through, "count_over_time({app=\"counts\"} != \"never in a line\" [1m])", grouping, w, unflushed);

                    Assert.Equal(Samples(full), Samples(fast));
                    Assert.Equal(full.Stats.ChunkLines, fast.Stats.ChunkLines);
                    Assert.Equal(full.Stats.ChunkBytes, fast.Stats.ChunkBytes);
                    Assert.Equal(full.Stats.Duplicates, fast.Stats.Duplicates);
                    if (!unflushed)
                    {
                        Assert.True(fast.Stats.Duplicates > 0, "expected entries stored twice");
                        Assert.True(fast.Stats.DecompressedBytes < full.Stats.DecompressedBytes,
                            $"the count decompressed {fast.Stats.DecompressedBytes} bytes, the full path {full.Stats.DecompressedBytes}");
                    }
                }
            }
        }
        var counted = await client.SelectSamplesAsync([new("app", "=", "counts")], from, through, "count_over_time({app=\"counts\"}[1m])", []);
        var distinct = entries.DistinctBy(e => (e.TimestampNs, Encoding.UTF8.GetString(e.Line.Span))).Count(e => e.TimestampNs >= from && e.TimestampNs < through);
        Assert.Equal(distinct, counted.Series.Sum(s => s.Values.Sum()));
    }

    private static List<string> Samples(SamplePage page) =>
        [.. page.Series.Select(s => s.Labels + ":" + string.Join(",", s.Timestamps.Zip(s.Values).OrderBy(p => p.First).Select(p => $"{p.First}={p.Second}"))).Order(StringComparer.Ordinal)];
}
