using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Storage;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Grains.Tests;

/// <summary>The silo WAL: pushes of many streams share its segments, flushes delete them, a dead silo's WAL is recovered.</summary>
public sealed class SiloWalTests(SiloWalTests.Fixture fixture) : IClassFixture<SiloWalTests.Fixture>
{
    private const string OrphanTenant = "orphan";
    private const string OrphanWalId = "00000000001-0123456789ab";

    /// <summary>Written by an older version: a frame without labels, and the stream's labels object.</summary>
    private static readonly (string Labels, ulong Fingerprint) OrphanStream = StreamClient.Stream(("app", "orphan"));

    /// <summary>Written by this version: a frame that names the labels, and no labels object.</summary>
    private static readonly (string Labels, ulong Fingerprint) LabelledOrphanStream = StreamClient.Stream(("app", "orphan-labelled"), ("pod", "p\"1"));
    private static readonly long OrphanBaseNs = TestClock.NowNs;

    [Fact]
    public async Task Push_ToManyStreams_IsInTheSharedSiloWal_AndFlushDeletesItsSegments()
    {
        var tenant = "shared-" + Guid.NewGuid().ToString("n")[..8];
        var client = new StreamClient(fixture.Cluster.GrainFactory, tenant);
        var now = TestClock.NowNs;
        var streams = Enumerable.Range(0, 20).Select(s => StreamClient.Stream(("app", "shared"), ("stream", s.ToString("D2")))).ToList();
        await Task.WhenAll(streams.Select(s => client.PushAsync(s.Labels, s.Fingerprint, [.. Enumerable.Range(0, 10).Select(i => (now + i, $"entry {i}"))])));

        // No object per stream: the entries are in silo WAL frames, every one of them, each frame naming its stream's labels.
        Assert.Empty(await ListAsync($"wal/{tenant}/"));
        var labelsOf = streams.ToDictionary(s => StorageKeys.StreamGrainKey(tenant, s.Fingerprint), s => s.Labels);
        var framed = new Dictionary<string, int>();
        foreach (var key in await SegmentKeysAsync())
        {
            foreach (var frame in SiloWalFrame.Read((await fixture.Store.GetAsync(key))!))
            {
                if (frame.Key.StartsWith(tenant + "/", StringComparison.Ordinal))
                {
                    Assert.Equal(labelsOf[frame.Key], frame.Labels);
                    framed[frame.Key] = framed.GetValueOrDefault(frame.Key) + EntryBatch.ReadSegment(frame.Body).Entries.Count;
                }
            }
        }
        Assert.Equal(streams.Select(s => StorageKeys.StreamGrainKey(tenant, s.Fingerprint)).Order(), framed.Keys.Order());
        Assert.All(framed.Values, count => Assert.Equal(10, count));

        await Task.WhenAll(streams.Select(s => client.Grain(s.Fingerprint).FlushAsync()));

        Assert.Empty(await SegmentKeysAsync());
        var read = await client.ReadAsync([new MatcherSpec("app", "=", "shared")], now, now + 10);
        Assert.Equal(20, read.Count);
        Assert.All(read.Values, entries => Assert.Equal(10, entries.Count));
    }

    [Fact]
    public async Task WalOfADeadSilo_IsReplayedByTheStreamItHeld_AndThenDeleted()
    {
        var client = new StreamClient(fixture.Cluster.GrainFactory, OrphanTenant);

        // Activation recovers the orphaned silo WAL (seeded before the cluster started) and replays it.
        var recovered = await client.Grain(OrphanStream.Fingerprint).RecoverAsync();

        Assert.Equal(5, recovered);
        Assert.Empty(await ListAsync($"swal/{OrphanWalId}/"));
        var read = await client.ReadAsync([new MatcherSpec("app", "=", "orphan")], OrphanBaseNs, OrphanBaseNs + 10);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (OrphanBaseNs + i, $"orphan {i}")), read.Single().Value);
    }

    [Fact]
    public async Task WalOfADeadSilo_WithLabelledFrames_GetsItsLabelsObjectFromTheFrames_AndReplays()
    {
        var client = new StreamClient(fixture.Cluster.GrainFactory, OrphanTenant);

        var recovered = await client.Grain(LabelledOrphanStream.Fingerprint).RecoverAsync();

        Assert.Equal(3, recovered);
        var streamId = StorageKeys.StreamId(LabelledOrphanStream.Fingerprint);
        Assert.Equal(LabelledOrphanStream.Labels, Encoding.UTF8.GetString((await fixture.Store.GetAsync(StorageKeys.WalLabels(OrphanTenant, streamId)))!));
        var read = await client.ReadAsync([new MatcherSpec("app", "=", "orphan-labelled")], OrphanBaseNs, OrphanBaseNs + 10);
        var (labels, entries) = read.Single();
        Assert.Contains("p\\\"1", labels);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => (OrphanBaseNs + i, $"labelled {i}")), entries);
    }

    [Fact]
    public void FrameReader_ReadsFramesWithAndWithoutLabels()
    {
        var record = EntryBatch.Encode([new LogEntry(1, "a line"u8.ToArray(), null)]);
        const string key = "tenant/0000000000000001";
        const string labels = "{app=\"ü\", pod=\"p\\\"0\"}";
        var frame = new byte[SiloWalFrame.Size(SiloWalFrame.MaxKeySectionBytes(key, labels), record.Length) * 2];
        var length = SiloWalFrame.WriteHeader(frame, key, labels, record.Length);
        record.CopyTo(frame, length);
        length += record.Length;
        var old = SiloWalFrame.WriteHeader(frame.AsSpan(length), key, record.Length);
        record.CopyTo(frame, length + old);
        length += old + record.Length;

        var frames = SiloWalFrame.Read(frame.AsMemory(0, length)).ToList();

        Assert.Equal([(key, labels), (key, null)], frames.Select(f => (f.Key, f.Labels)));
        Assert.All(frames, f => Assert.Equal(record, f.Body.ToArray()));
    }

    [Fact]
    public void FrameReader_StopsAtATornFrame()
    {
        var record = EntryBatch.Encode([new LogEntry(1, "a line"u8.ToArray(), null)]);
        const string key = "tenant/0000000000000001";
        var frame = new byte[SiloWalFrame.Size(key.Length, record.Length)];
        var length = SiloWalFrame.WriteHeader(frame, key, record.Length);
        record.CopyTo(frame, length);
        length += record.Length;
        var segment = frame[..length].Concat(frame[..(length - 3)]).ToArray();
        long? tornAt = null;

        var frames = SiloWalFrame.Read(segment, at => tornAt = at).ToList();

        Assert.Equal(key, Assert.Single(frames).Key);
        Assert.Equal(record, frames[0].Body.ToArray());
        Assert.Equal(length, tornAt);
    }

    private async Task<List<string>> SegmentKeysAsync() =>
        [.. (await ListAsync("swal/")).Where(k => !k.EndsWith("/owner", StringComparison.Ordinal))];

    private async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var info in fixture.Store.ListAsync(prefix))
        {
            keys.Add(info.Key);
        }
        return keys;
    }

    /// <summary>A cluster that starts next to the WAL of a silo that died (no owner object: it never counts as alive).</summary>
    public sealed class Fixture : ClusterFixture
    {
        protected override async Task SeedAsync(IObjectStore store)
        {
            var streamId = StorageKeys.StreamId(OrphanStream.Fingerprint);
            await store.PutAsync($"wal/{OrphanTenant}/{streamId}/labels", Encoding.UTF8.GetBytes(OrphanStream.Labels));
            var record = EntryBatch.Encode([.. Enumerable.Range(0, 5).Select(i => new LogEntry(OrphanBaseNs + i, Encoding.UTF8.GetBytes($"orphan {i}"), null))]);
            var key = StorageKeys.StreamGrainKey(OrphanTenant, OrphanStream.Fingerprint);
            var frame = new byte[SiloWalFrame.Size(Encoding.UTF8.GetByteCount(key), record.Length)];
            var length = SiloWalFrame.WriteHeader(frame, key, record.Length);
            record.CopyTo(frame, length);
            await store.AppendAsync(SiloWal.SegmentKey(OrphanWalId, 0), frame.AsMemory(0, length + record.Length));

            var labelledRecord = EntryBatch.Encode([.. Enumerable.Range(0, 3).Select(i => new LogEntry(OrphanBaseNs + i, Encoding.UTF8.GetBytes($"labelled {i}"), null))]);
            var labelledKey = StorageKeys.StreamGrainKey(OrphanTenant, LabelledOrphanStream.Fingerprint);
            var labelled = new byte[SiloWalFrame.Size(SiloWalFrame.MaxKeySectionBytes(labelledKey, LabelledOrphanStream.Labels), labelledRecord.Length)];
            var labelledLength = SiloWalFrame.WriteHeader(labelled, labelledKey, LabelledOrphanStream.Labels, labelledRecord.Length);
            labelledRecord.CopyTo(labelled, labelledLength);
            await store.AppendAsync(SiloWal.SegmentKey(OrphanWalId, 0), labelled.AsMemory(0, labelledLength + labelledRecord.Length));
        }
    }
}
