using System.Globalization;
using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// <c>loki_ingester_unflushed_bytes</c>, <c>loki_ingester_unflushed_compressed_bytes</c> and
/// <c>loki_ingester_memory_chunks</c> follow what the stream grains hold in memory: they rise by the line bytes a
/// push adds (duplicates excluded), include WAL replay on activation, and fall back to zero once flushed. The silos run
/// in this process, so the values are read from the default Prometheus registry, for a tenant no other test uses.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class UnflushedMetricsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Push_RaisesUnflushedBytesByTheLineBytes_FlushBringsThemBackToZero()
    {
        var tenant = "unflushed-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var (bigLabels, bigFp) = StreamClient.Stream(("app", "unflushed"), ("stream", "big"));
        var (smallLabels, smallFp) = StreamClient.Stream(("app", "unflushed"), ("stream", "small"));
        // ~40 KB of lines: more than two 16 KiB blocks are cut (compressed), far below the 64 KiB chunk target.
        var random = new Random(11);
        var big = Enumerable.Range(0, 200).Select(i => (now + i, $"big {i} " + Convert.ToHexString(RandomBytes(random, 100)))).ToArray();
        var small = new[] { (now, "small one"), (now + 1, "small two ü") };
        for (var i = 0; i < big.Length; i += 50)
        {
            Assert.Equal(50, (await client.PushAsync(bigLabels, bigFp, big[i..(i + 50)])).Accepted);
        }
        var ack = await client.PushAsync(smallLabels, smallFp, [.. small, small[0]]);
        Assert.Equal(1, ack.Duplicates);

        var bigBytes = LineBytes(big);
        var smallBytes = LineBytes(small);
        var pushed = await GaugesAsync(tenant);
        Assert.Equal(bigBytes + smallBytes, pushed.Bytes);
        Assert.Equal(2, pushed.Chunks);
        Assert.InRange(pushed.CompressedBytes, 1, bigBytes - 1);

        await client.Grain(bigFp).FlushAsync();
        Assert.Equal((smallBytes, 0L, 1L), await GaugesAsync(tenant));

        await client.Grain(smallFp).FlushAsync();
        Assert.Equal((0L, 0L, 0L), await GaugesAsync(tenant));
    }

    [Fact]
    public async Task Activation_CountsTheEntriesReplayedFromTheWal()
    {
        var tenant = "unflushed-replay-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var (labels, fp) = StreamClient.Stream(("app", "unflushed-replay"));
        var entries = Enumerable.Range(0, 20).Select(i => (now + i, $"replayed entry {i}")).ToArray();
        // The WAL a previous activation left behind: the grain finds it when it activates.
        var streamId = StorageKeys.StreamId(fp);
        await fixture.Store.PutAsync(StorageKeys.WalStreamPrefix(tenant, streamId) + "labels", Encoding.UTF8.GetBytes(labels));
        var records = entries.Chunk(5).SelectMany(batch => EntryBatch.Encode([.. batch.Select(e => new LogEntry(e.Item1, Encoding.UTF8.GetBytes(e.Item2), null))])).ToArray();
        await fixture.Store.PutAsync(StorageKeys.WalSegment(tenant, streamId, 1), records);

        var inMemory = await client.Grain(fp).InMemoryChunksAsync(now, now + 100);

        Assert.Equal(entries.Length, inMemory.Single().Entries);
        Assert.Equal((LineBytes(entries), 0L, 1L), await GaugesAsync(tenant));

        await client.Grain(fp).FlushAsync();
        Assert.Equal((0L, 0L, 0L), await GaugesAsync(tenant));
    }

    private static long LineBytes((long Ts, string Line)[] entries) => entries.Sum(e => (long)Encoding.UTF8.GetByteCount(e.Line));

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The tenant's three gauges as the Prometheus text exposition shows them (0 when a series is absent).</summary>
    private static async Task<(long Bytes, long CompressedBytes, long Chunks)> GaugesAsync(string tenant)
    {
        using var stream = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        long Value(string name)
        {
            var prefix = $"{name}{{tenant=\"{tenant}\"}} ";
            var line = lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return line is null ? 0 : (long)double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
        }
        return (Value("loki_ingester_unflushed_bytes"), Value("loki_ingester_unflushed_compressed_bytes"), Value("loki_ingester_memory_chunks"));
    }
}
