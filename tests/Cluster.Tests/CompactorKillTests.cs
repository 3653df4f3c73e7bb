using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Chunks;
using Orleans.Loki.Storage;
using Xunit.Abstractions;

namespace Orleans.Loki.Cluster.Tests;

/// <summary>
/// kill -9 of the compactor's silo (the backend) in the middle of a delete run, over real processes on Azurite: after
/// the restart the compactor resumes and finishes; the deleted lines are gone from every chunk object, no kept line is
/// lost or doubled, every index entry points at an existing chunk and every chunk object is indexed.
/// </summary>
public sealed class CompactorKillTests(ITestOutputHelper output)
{
    private const int Streams = 300;
    private const string Secret = "zq-del-7f3a";

    /// <summary>A compactor that runs every 2 s, applies delete requests one minute after creation (Loki's minimum) and sweeps after 3 s.</summary>
    private const string CompactorYaml = """
        compactor:
          retention_enabled: true
          compaction_interval: 2s
          retention_delete_delay: 3s
          delete_request_cancel_period: 0s
          cold_chunk_age: 1000h
        limits_config:
          retention_period: 3h
        """;

    [Fact]
    public async Task Kill_9_of_the_backend_during_a_delete_run_then_restart_finishes_the_run_exactly()
    {
        var id = "k" + Guid.NewGuid().ToString("n")[..12];
        var container = "compactor-" + id;
        await using var write = SiloProcess.Create("write", ClusterFixture.ConnectionString, container, id, CompactorYaml);
        await using var read = SiloProcess.Create("read", ClusterFixture.ConnectionString, container, id, CompactorYaml);
        await using var backend = SiloProcess.Create("backend", ClusterFixture.ConnectionString, container, id, CompactorYaml);
        await write.StartAsync();
        await Task.WhenAll(read.StartAsync(), backend.StartAsync());
        var store = await AzureBlobObjectStore.CreateAsync(ClusterFixture.ConnectionString, container);

        // Many small chunks, each holding one line to delete, so that the rewrite uploads take a while; and one stream
        // past the retention period.
        var t0 = Loki.NowNs() - 600_000_000_000;
        var kept = new List<string>();
        var streams = new List<string>();
        for (var i = 0; i < Streams; i++)
        {
            streams.Add($"{{\"stream\":{{\"test\":\"kd\",\"n\":\"{i}\"}},\"values\":[[\"{t0 + (3 * i)}\",\"keep {i} a\"],[\"{t0 + (3 * i) + 1}\",\"{Secret} {i}\"],[\"{t0 + (3 * i) + 2}\",\"keep {i} b\"]]}}");
            kept.Add($"keep {i} a");
            kept.Add($"keep {i} b");
        }
        var old = Loki.NowNs() - (5 * 3_600_000_000_000);
        streams.Add($"{{\"stream\":{{\"test\":\"old\"}},\"values\":[[\"{old}\",\"expired line\"]]}}");
        using (var push = await write.Client.PostAsync("/loki/api/v1/push", new StringContent($"{{\"streams\":[{string.Join(',', streams)}]}}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
        }
        using (var flush = await write.Client.PostAsync("/flush", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, flush.StatusCode);
        }
        var initial = await ChunkKeysAsync(store);
        Assert.True(initial.Count >= Streams, $"{initial.Count} chunks after the flush");

        using (var delete = await backend.Client.PostAsync($"/loki/api/v1/delete?query={Uri.EscapeDataString($"{{test=\"kd\"}} |= \"{Secret}\"")}&start={(t0 / 1_000_000_000) - 60}", null))
        {
            Assert.True(delete.StatusCode == HttpStatusCode.NoContent, await delete.Content.ReadAsStringAsync());
        }
        var from = t0 - 60_000_000_000;
        var to = Loki.NowNs() + 1_000_000_000;
        // Hidden at once, long before the compactor may touch it.
        Assert.Equal(kept.Order(), (await Loki.LinesAsync(read.Client, "{test=\"kd\"}", from, to)).Order());

        // The request becomes eligible a minute after its creation; kill the backend as soon as the run's first
        // rewritten chunk is in the store, i.e. while it uploads the others.
        var clock = Stopwatch.StartNew();
        HashSet<string> now;
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), "the compactor did not start rewriting chunks");
            await Task.Delay(20);
            now = await ChunkKeysAsync(store);
        }
        while (!now.Except(initial).Any());
        await backend.KillAsync();
        var uploadedAtKill = (await ChunkKeysAsync(store)).Except(initial).Count();
        output.WriteLine($"killed after {clock.Elapsed.TotalSeconds:F1} s with {uploadedAtKill} of {Streams} rewritten chunks uploaded");
        Assert.True(uploadedAtKill < Streams, $"the run had uploaded every rewritten chunk ({uploadedAtKill}) before the kill");

        await backend.StartAsync();
        var statusAfterRestart = await StatusAsync(backend);
        output.WriteLine($"status right after the restart: {statusAfterRestart}");

        // The resumed compactor applies the request and sweeps what it replaced.
        clock.Restart();
        while (true)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"the compactor did not finish: status {await StatusAsync(backend)}, {(await ChunkKeysAsync(store)).Count} chunks");
            if (await StatusAsync(backend) == "processed" && (await ChunkKeysAsync(store)).Count == Streams && !await AnyAsync(store, "compactor/markers/"))
            {
                break;
            }
            await Task.Delay(250);
        }
        output.WriteLine($"finished {clock.Elapsed.TotalSeconds:F1} s after the restart");

        // Every kept line once, nothing deleted, the expired stream gone.
        Assert.Equal(kept.Order(), (await Loki.LinesAsync(read.Client, "{test=\"kd\"}", from, to)).Order());
        Assert.Empty(await Loki.LinesAsync(read.Client, "{test=\"old\"}", old - 1, to));
        // No chunk object holds a deleted line; each holds one stream's two kept lines.
        var chunks = await ChunkKeysAsync(store);
        Assert.Empty(chunks.Intersect(initial));
        foreach (var key in chunks)
        {
            var lines = ChunkReader.Open((await store.GetAsync(key))!).Iterate(long.MinValue, long.MaxValue, false).Select(e => Encoding.UTF8.GetString(e.Line.Span)).ToList();
            Assert.Equal(2, lines.Count);
            Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal));
        }
        // The index names exactly the chunk objects that exist: as many chunks as objects, and every one readable above.
        using (var stats = await read.Client.GetAsync($"/loki/api/v1/index/stats?query={Uri.EscapeDataString("{test=~\".+\"}")}&start={old - 1}&end={to}"))
        {
            using var doc = JsonDocument.Parse(await stats.Content.ReadAsStringAsync());
            Assert.Equal(Streams, doc.RootElement.GetProperty("chunks").GetInt64());
            Assert.Equal(2 * Streams, doc.RootElement.GetProperty("entries").GetInt64());
        }
        var metrics = await backend.Client.GetStringAsync("/metrics");
        Assert.Matches(@"(?m)^loki_compactor_runs_total\{status=""success""\} [1-9]", metrics);
    }

    private static async Task<HashSet<string>> ChunkKeysAsync(IObjectStore store)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync("fake/chunks/"))
        {
            keys.Add(info.Key);
        }
        return keys;
    }

    private static async Task<bool> AnyAsync(IObjectStore store, string prefix)
    {
        await foreach (var _ in store.ListAsync(prefix))
        {
            return true;
        }
        return false;
    }

    private static async Task<string?> StatusAsync(SiloProcess backend)
    {
        try
        {
            using var doc = JsonDocument.Parse(await backend.Client.GetStringAsync("/loki/api/v1/delete"));
            return doc.RootElement.EnumerateArray().Select(e => e.GetProperty("status").GetString()).SingleOrDefault();
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}
