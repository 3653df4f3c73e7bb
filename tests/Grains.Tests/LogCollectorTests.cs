using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Querier;

namespace Orleans.Loki.Grains.Tests;

public sealed class LogCollectorTests
{
    private static LogCollector.Selected Entry(long ts, string labels, string line) => new(ts, labels, [], line, null, null);

    [Fact]
    public void Backward_keeps_the_newest_entries_and_breaks_timestamp_ties_by_labels_then_line()
    {
        var collector = new LogCollector(backward: true, limit: 3);
        collector.Offer(Entry(10, "{a=\"2\"}", "x"));
        collector.Offer(Entry(20, "{a=\"1\"}", "old"));
        collector.Offer(Entry(30, "{a=\"2\"}", "b"));
        collector.Offer(Entry(30, "{a=\"2\"}", "a"));
        collector.Offer(Entry(30, "{a=\"1\"}", "z"));

        var page = collector.ToPage(new ReadStats());

        Assert.Equal(["{a=\"1\"}", "{a=\"2\"}"], page.Streams.Select(s => s.Labels));
        Assert.Equal([30L], page.Streams[0].Timestamps);
        Assert.Equal(["z"], page.Streams[0].Lines);
        Assert.Equal([30L, 30L], page.Streams[1].Timestamps);
        Assert.Equal(["a", "b"], page.Streams[1].Lines);
    }

    [Fact]
    public void Once_full_it_rejects_only_timestamps_beyond_the_worst_kept_one()
    {
        var forward = new LogCollector(backward: false, limit: 2);
        Assert.False(forward.Rejects(1_000));
        forward.Offer(Entry(5, "{}", "a"));
        forward.Offer(Entry(7, "{}", "b"));

        Assert.True(forward.Rejects(8));
        Assert.False(forward.Rejects(7));
        Assert.False(forward.Rejects(6));

        var backward = new LogCollector(backward: true, limit: 1);
        backward.Offer(Entry(5, "{}", "a"));
        Assert.True(backward.Rejects(4));
        Assert.False(backward.Rejects(5));
    }
}
