using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Model;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class StreamGrainTests(ClusterFixture fixture)
{
    private static MatcherSpec Eq(string name, string value) => new(name, "=", value);

    [Fact]
    public async Task Push_ManyStreams_LandOnSeveralSilos_AndReadBackInOrder()
    {
        var tenant = "spread-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var pushes = new List<Task<PushAck>>();
        for (var s = 0; s < 40; s++)
        {
            var (labels, fp) = StreamClient.Stream(("app", "spread"), ("pod", $"p{s}"));
            // Out of order within one batch: the grain must sort on read.
            pushes.Add(client.PushAsync(labels, fp, (now + 3, $"s{s} third"), (now + 1, $"s{s} first"), (now + 2, $"s{s} second")));
        }
        var acks = await Task.WhenAll(pushes);
        Assert.All(acks, a => Assert.Equal(3, a.Accepted));

        var stats = await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var silos = stats.Where(s => s.GrainType.Contains("StreamGrain")).Select(s => s.SiloAddress).Distinct().Count();
        Assert.True(silos > 1, $"expected stream grains on more than one silo, found {silos}");

        var read = await client.ReadAsync([Eq("app", "spread")], now, now + 10);
        Assert.Equal(40, read.Count);
        foreach (var (labels, entries) in read)
        {
            var pod = labels.Split("pod=\"")[1].Split('"')[0];
            var s = pod[1..];
            Assert.Equal([(now + 1, $"s{s} first"), (now + 2, $"s{s} second"), (now + 3, $"s{s} third")], entries);
        }
    }

    [Fact]
    public async Task Push_EntryOlderThanHalfMaxChunkAge_IsRejectedAsTooFarBehind()
    {
        var client = new StreamClient(fixture.Cluster.GrainFactory, "order");
        var (labels, fp) = StreamClient.Stream(("app", "order"), ("case", Guid.NewGuid().ToString("n")));
        var now = TestClock.NowNs;
        await client.PushAsync(labels, fp, (now, "newest"));

        var hourAndOneSecondAgo = now - (3601L * 1_000_000_000);
        var ack = await client.PushAsync(labels, fp, (now - 1_000_000_000, "within window"), (hourAndOneSecondAgo, "too old"));

        Assert.Equal(1, ack.Accepted);
        var rejected = Assert.Single(ack.Rejected);
        Assert.Equal("too_far_behind", rejected.Reason);
        Assert.StartsWith($"entry with timestamp {GoTime.TimeString(hourAndOneSecondAgo)} ignored, reason: 'entry too far behind, entry timestamp is: {GoTime.Rfc3339(hourAndOneSecondAgo)}, oldest acceptable timestamp is: ", rejected.Message);
        var read = await client.ReadAsync([Eq("case", labels.Split("case=\"")[1].Split('"')[0])], now - 7200L * 1_000_000_000, now + 1);
        Assert.Equal([now - 1_000_000_000, now], read.Single().Value.Select(e => e.Ts));
    }

    [Fact]
    public async Task Push_ExactDuplicate_IsDroppedButSameTimestampOtherLineIsKept()
    {
        var client = new StreamClient(fixture.Cluster.GrainFactory, "dups");
        var id = Guid.NewGuid().ToString("n");
        var (labels, fp) = StreamClient.Stream(("app", "dups"), ("case", id));
        var now = TestClock.NowNs;
        await client.PushAsync(labels, fp, (now, "a"));
        var ack = await client.PushAsync(labels, fp, (now, "a"), (now, "b"));

        Assert.Equal(1, ack.Accepted);
        Assert.Equal(1, ack.Duplicates);
        var read = await client.ReadAsync([Eq("case", id)], now, now + 1);
        Assert.Equal([(now, "a"), (now, "b")], read.Single().Value);
    }

    [Fact]
    public async Task Flush_WritesChunkIndexesItAndDeletesWal_DataReadOnce()
    {
        var tenant = "flush-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var (labels, fp) = StreamClient.Stream(("app", "flush"));
        var now = TestClock.NowNs;
        // Enough data to cut several blocks and more than one chunk (test options: 16 KiB blocks, 64 KiB chunks).
        // Random hex compresses ~2x, so ~900 KB of lines make well over 64 KiB compressed.
        var random = new Random(42);
        var entries = Enumerable.Range(0, 3000).Select(i => (now + i, $"line {i} " + Convert.ToHexString(RandomBytes(random, 150)))).ToArray();
        for (var i = 0; i < entries.Length; i += 500)
        {
            await client.PushAsync(labels, fp, entries[i..Math.Min(i + 500, entries.Length)]);
        }
        // Unflushed: the entries are in the silo WAL's frames (with the stream's labels), nothing under the stream's prefix.
        Assert.Empty(await ListAsync($"wal/{tenant}/"));
        Assert.Contains(await FramedStreamsAsync(), key => key == StorageKeys.StreamGrainKey(tenant, fp));

        await client.Grain(fp).FlushAsync();

        var chunks = await ListAsync($"{tenant}/chunks/");
        Assert.True(chunks.Count >= 2, $"expected several chunks, found {chunks.Count}");
        Assert.Empty(await ListAsync($"wal/{tenant}/"));
        var lookup = await fixture.Cluster.GrainFactory.GetGrain<IIndexGrain>($"{tenant}/{StorageKeys.DayOf(now)}").LookupAsync([Eq("app", "flush")], now, now + 3000);
        Assert.Equal(chunks.Count, lookup.Single().Chunks.Count);

        var read = await client.ReadAsync([Eq("app", "flush")], now, now + 3000);
        Assert.Equal(entries, read.Single().Value);
    }

    [Fact]
    public async Task Read_WithRequiredLiteral_SkipsFlushedBlocksThatCannotContainIt_AndStillFindsTheNeedle()
    {
        var tenant = "needle-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var (labels, fp) = StreamClient.Stream(("app", "needle"));
        var now = TestClock.NowNs;
        var random = new Random(7);
        var entries = Enumerable.Range(0, 2000).Select(i => (now + i, i == 1234 ? "found zqxneedle here" : $"line {i} " + Convert.ToHexString(RandomBytes(random, 100)))).ToArray();
        await client.PushAsync(labels, fp, entries);
        await client.Grain(fp).FlushAsync();

        var (all, allStats) = await client.SelectAsync([Eq("app", "needle")], now, now + 2000);
        var (filtered, filteredStats) = await client.SelectAsync([Eq("app", "needle")], now, now + 2000, "zqxneedle");

        Assert.Equal(2000, all.Single().Value.Count);
        Assert.Equal([(now + 1234, "found zqxneedle here")], filtered.Single().Value);
        Assert.True(allStats.BlocksDecompressed > 4, $"expected the stream to span several blocks, read {allStats.BlocksDecompressed}");
        Assert.True(filteredStats.BlocksDecompressed * 4 < allStats.BlocksDecompressed,
            $"expected most blocks to be skipped: {filteredStats.BlocksDecompressed} of {allStats.BlocksDecompressed} blocks were decompressed");
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Stream keys with frames in the silo WAL segments now on storage.</summary>
    private async Task<HashSet<string>> FramedStreamsAsync()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var segment in await ListAsync("swal/"))
        {
            if (!segment.EndsWith("/owner", StringComparison.Ordinal) && await fixture.Store.GetAsync(segment) is { } data)
            {
                foreach (var frame in SiloWalFrame.Read(data))
                {
                    keys.Add(frame.Key);
                }
            }
        }
        return keys;
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var info in fixture.Store.ListAsync(prefix))
        {
            keys.Add(info.Key);
        }
        return keys;
    }
}
