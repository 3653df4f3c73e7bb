using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Index;

namespace Orleans.Loki.Grains.Tests.Index;

public sealed class AccumulatorTests
{
    private static ChunkRef Chunk(long from, long through, int entries, long bytes) => new($"c{from}-{through}", from, through, entries, bytes, bytes / 4);

    private static KeyValuePair<string, string>[] Labels(params (string Name, string Value)[] pairs) =>
        [.. pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal)];

    [Fact]
    public void Stats_ChunkInsideTheRange_CountsInFull_PartialChunkInProportion()
    {
        var acc = new IndexStatsAccumulator();
        acc.Add(1, [Chunk(0, 100, 10, 1000), Chunk(100, 300, 40, 4000)], 0, 200, long.MinValue, long.MaxValue);
        acc.Add(2, [Chunk(500, 600, 5, 500)], 0, 200, long.MinValue, long.MaxValue);

        var stats = acc.Result();
        Assert.Equal([1UL], stats.Fingerprints);
        Assert.Equal((2L, 10L + 20L, 1000L + 2000L), (stats.Chunks, stats.Entries, stats.Bytes));
    }

    [Fact]
    public void Stats_ChunkSpanningTwoSlices_IsSplitBetweenThem_AndCountedOnce()
    {
        var chunk = Chunk(50, 150, 10, 1000);
        var first = new IndexStatsAccumulator();
        first.Add(7, [chunk], 0, 1000, 0, 100);
        var second = new IndexStatsAccumulator();
        second.Add(7, [chunk], 0, 1000, 100, 200);

        var (a, b) = (first.Result(), second.Result());
        Assert.Equal((1L, 5L, 500L), (a.Chunks, a.Entries, a.Bytes));
        Assert.Equal((0L, 5L, 500L), (b.Chunks, b.Entries, b.Bytes));
    }

    private static VolumeRequest Request(bool bySeries, string[] labelsToMatch, bool targets = false, bool includeAll = false, long[]? bounds = null, int maxSeries = 1000) =>
        new([], labelsToMatch, targets, bySeries, includeAll, bounds ?? [0, 100], maxSeries);

    [Fact]
    public void Volume_BySeries_AggregatesIntoTheMatchedLabels()
    {
        var acc = new VolumeAccumulator(Request(true, ["job"]), long.MinValue, long.MaxValue);
        acc.Add(Labels(("job", "a"), ("pod", "1")), [Chunk(0, 100, 1, 100)]);
        acc.Add(Labels(("job", "a"), ("pod", "2")), [Chunk(0, 100, 1, 50)]);
        acc.Add(Labels(("job", "b"), ("pod", "3")), [Chunk(0, 100, 1, 7)]);
        acc.Add(Labels(("job", "c"), ("pod", "4")), [Chunk(200, 300, 1, 7)]);

        var result = acc.Result();
        Assert.False(result.MaxSeriesHit);
        Assert.Equal(
            [("{job=\"a\"}", 150L), ("{job=\"b\"}", 7L)],
            result.Series.Select(s => (s.Name, Assert.Single(s.Bytes))).OrderBy(s => s.Name));
    }

    [Fact]
    public void Volume_ByLabels_WithoutTargets_CountsEveryLabelName()
    {
        var acc = new VolumeAccumulator(Request(false, ["job"]), long.MinValue, long.MaxValue);
        acc.Add(Labels(("job", "a"), ("pod", "1")), [Chunk(0, 100, 1, 100)]);
        acc.Add(Labels(("job", "b")), [Chunk(0, 100, 1, 10)]);

        Assert.Equal(
            [("job", 110L), ("pod", 100L)],
            acc.Result().Series.Select(s => (s.Name, s.Bytes[0])).OrderBy(s => s.Name));
    }

    [Fact]
    public void Volume_ByLabels_WithTargets_CountsOnlyTargets()
    {
        var acc = new VolumeAccumulator(Request(false, ["pod"], targets: true), long.MinValue, long.MaxValue);
        acc.Add(Labels(("job", "a"), ("pod", "1")), [Chunk(0, 100, 1, 100)]);

        Assert.Equal([("pod", 100L)], acc.Result().Series.Select(s => (s.Name, s.Bytes[0])));
    }

    [Fact]
    public void Volume_MatchAll_KeepsEveryLabel_AndSpreadsChunksOverBuckets()
    {
        var acc = new VolumeAccumulator(Request(true, [], includeAll: true, bounds: [0, 50, 100, 150]), long.MinValue, long.MaxValue);
        acc.Add(Labels(("job", "a"), ("pod", "1")), [Chunk(25, 125, 4, 400)]);

        var series = Assert.Single(acc.Result().Series);
        Assert.Equal("{job=\"a\", pod=\"1\"}", series.Name);
        Assert.Equal(0, series.FirstBucket);
        Assert.Equal([100L, 200L, 100L], series.Bytes);
    }

    [Fact]
    public void Volume_Slice_ReturnsOnlyItsBuckets()
    {
        var acc = new VolumeAccumulator(Request(true, ["job"], bounds: [0, 50, 100, 150]), 100, 200);
        acc.Add(Labels(("job", "a")), [Chunk(25, 125, 4, 400)]);

        var series = Assert.Single(acc.Result().Series);
        Assert.Equal(2, series.FirstBucket);
        Assert.Equal([100L], series.Bytes);
    }

    [Fact]
    public void Volume_MoreSeriesThanAllowed_IsFlagged()
    {
        var acc = new VolumeAccumulator(Request(true, ["pod"], maxSeries: 1), long.MinValue, long.MaxValue);
        acc.Add(Labels(("pod", "1")), [Chunk(0, 100, 1, 1)]);
        acc.Add(Labels(("pod", "2")), [Chunk(0, 100, 1, 1)]);

        Assert.True(acc.Result().MaxSeriesHit);
    }
}
