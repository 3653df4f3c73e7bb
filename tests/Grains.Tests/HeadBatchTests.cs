using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// Metric queries read the in-memory entries with one <see cref="IHeadReaderGrain"/> call per ingester silo: every
/// active stream must be answered by exactly one silo, and the query over many streams spread across the silos,
/// some partly flushed, must count every entry exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HeadBatchTests(ClusterFixture fixture)
{
    private const int Streams = 24;

    [Fact]
    public async Task HeadReaders_AnswerEveryActiveStreamOnce_AndOnlyTheirOwn()
    {
        var tenant = "heads-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var fingerprints = new List<ulong>();
        for (var s = 0; s < Streams; s++)
        {
            var (labels, fp) = StreamClient.Stream(("app", "heads"), ("instance", $"i-{s}"));
            fingerprints.Add(fp);
            await client.PushAsync(labels, fp, [.. Enumerable.Range(0, s + 1).Select(i => (now + (i * 1_000_000L), $"stream {s} line {i}"))]);
        }
        // A stream nobody pushed to is active nowhere: no silo answers for it.
        var unknown = StreamClient.Stream(("app", "heads"), ("instance", "never-pushed")).Fingerprint;
        fingerprints.Add(unknown);

        var batch = new HeadBatchSelect(tenant, [.. fingerprints], [.. fingerprints.Select(_ => Array.Empty<long>())],
            new HeadSelect("count_over_time({app=\"heads\"}[1m])", true, now, now + 60_000_000_000L, false, 0, []));
        var answeredBy = new Dictionary<int, int>();
        var silosAnswering = 0;
        double counted = 0;
        foreach (var silo in fixture.Cluster.Silos)
        {
            var page = await GrainRefs.Get<IHeadReaderGrain>(fixture.Cluster.GrainFactory, silo.SiloAddress.ToParsableString()).SelectSamplesAsync(batch);
            if (page.Answered.Length > 0)
            {
                silosAnswering++;
            }
            foreach (var index in page.Answered)
            {
                answeredBy[index] = answeredBy.GetValueOrDefault(index) + 1;
            }
            counted += page.Samples?.Series.Sum(s => s.Values.Sum()) ?? 0;
            Assert.All(page.RawCount, c => Assert.Equal(0, c));
        }

        Assert.Equal(Enumerable.Range(0, Streams), answeredBy.Keys.Order());
        Assert.All(answeredBy.Values, n => Assert.Equal(1, n));
        Assert.DoesNotContain(Streams, answeredBy.Keys);
        Assert.True(silosAnswering >= 2, $"the {Streams} streams were all active on one silo: the test covers no spread");
        Assert.Equal(Enumerable.Range(1, Streams).Sum(), counted);
    }

    [Fact]
    public async Task MetricQuery_OverStreamsOnEverySilo_PartlyFlushed_CountsEachEntryOnce()
    {
        var tenant = "heads-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var expected = new Dictionary<string, int>();
        for (var s = 0; s < Streams; s++)
        {
            var ns = $"ns-{s % 3}";
            var (labels, fp) = StreamClient.Stream(("app", "batch"), ("namespace", ns), ("instance", $"i-{s}"));
            var entries = Enumerable.Range(0, 40).Select(i => new LogEntry(now + (i * 10_000_000L) + s, System.Text.Encoding.UTF8.GetBytes($"stream {s} entry {i}"), null)).ToArray();
            await client.PushAsync(labels, fp, entries[..20]);
            if (s % 2 == 0)
            {
                // Half the streams flushed: their first entries are in a chunk (and still in the grain's memory
                // until the flushed chunks are dropped), the rest only in the head.
                await client.Grain(fp).FlushAsync();
            }
            await client.PushAsync(labels, fp, entries[20..]);
            expected[ns] = expected.GetValueOrDefault(ns) + entries.Length;
        }

        var from = now - 1_000_000_000L;
        var through = now + 10_000_000_000L;
        var grouped = await client.SelectSamplesAsync([new("app", "=", "batch")], from, through,
            "count_over_time({app=\"batch\"}[1m])", ["namespace"]);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{{namespace=\"{p.Key}\"}}={p.Value}"),
            grouped.Series.Select(s => $"{s.Labels}={s.Values.Sum()}").Order(StringComparer.Ordinal));

        // Step windows over the same entries: every window's count equals the entries in it.
        var windows = new StepWindows(from + 1_000_000_000L, 100_000_000L, 10, 1_000_000_000L);
        var windowed = await client.SelectSamplesAsync([new("app", "=", "batch")], from, through,
            "count_over_time({app=\"batch\"}[1s])", [], windows);
        var total = Assert.Single(windowed.Series);
        for (var w = 0; w < total.Timestamps.Length; w++)
        {
            var end = total.Timestamps[w];
            var inWindow = Enumerable.Range(0, Streams).Sum(s => Enumerable.Range(0, 40).Count(i =>
            {
                var ts = now + (i * 10_000_000L) + s;
                return ts > end - 1_000_000_000L && ts <= end;
            }));
            Assert.Equal(inWindow, total.Values[w]);
        }
        Assert.Equal(Streams * 40, total.Values.Max());
    }
}
