using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Compactor;

namespace Orleans.Loki.Compactor.Tests;

/// <summary>Cold compaction: many small chunks of a stream become few zstd chunks, with identical query results throughout.</summary>
public sealed class CompactionTests
{
    private sealed class CrashOnce(string step) : ICompactorFaults
    {
        public bool Armed { get; set; }

        public void Before(string current)
        {
            if (Armed && current == step)
            {
                Armed = false;
                throw new InvalidOperationException($"simulated crash before {step}");
            }
        }
    }

    private static readonly string[] Queries =
    [
        """{app="api"}""",
        """{app="api"} |= "status=500" """,
        """{app=~"api|web"} |~ "user=u[0-3]" """,
        """{app="web"} | logfmt | status >= 400""",
    ];

    private static readonly string[] MetricQueries =
    [
        """sum by (app) (count_over_time({app=~".+"}[30m]))""",
        """sum(rate({app="api"} |= "status=500" [10m]))""",
        """sum by (status) (count_over_time({app="web"} | logfmt [1h]))""",
    ];

    private static async Task<List<string>> MatrixAsync(CompactorServer server, long from, long to)
    {
        var results = new List<string>();
        foreach (var q in Queries)
        {
            foreach (var direction in new[] { "forward", "backward" })
            {
                var (status, body, _) = await server.SendAsync(HttpMethod.Get, $"/loki/api/v1/query_range?query={Uri.EscapeDataString(q)}&start={from}&end={to}&limit=1000&direction={direction}");
                Assert.True(status == System.Net.HttpStatusCode.OK, body);
                results.Add(q + direction + Canonical(JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result")));
            }
        }
        foreach (var q in MetricQueries)
        {
            var (status, body, _) = await server.SendAsync(HttpMethod.Get, $"/loki/api/v1/query_range?query={Uri.EscapeDataString(q)}&start={from}&end={to}&step=600");
            Assert.True(status == System.Net.HttpStatusCode.OK, body);
            results.Add(q + Canonical(JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result")));
        }
        return results;
    }

    /// <summary>The result without the stats (which count chunks and bytes read).</summary>
    private static string Canonical(JsonElement result) => JsonSerializer.Serialize(result);

    [Fact]
    public async Task ManySmallColdChunks_BecomeFewZstdChunks_WithIdenticalResultsBeforeDuringAndAfter_AndNoOrphans()
    {
        var crash = new CrashOnce(CompactorSteps.IndexSwitch);
        await using var server = await CompactorServer.StartAsync("""
            compactor:
              retention_delete_delay: 1h
              compaction_interval: 24h
              cold_chunk_age: 3h
            """, services: s => s.AddSingleton<ICompactorFaults>(crash));
        var t0 = CompactorServer.HoursAgoNs(6);
        var minute = 60_000_000_000L;
        for (var batch = 0; batch < 12; batch++)
        {
            foreach (var app in new[] { "api", "web" })
            {
                var entries = Enumerable.Range(0, 50).Select(i =>
                {
                    var ts = t0 + (batch * 10 * minute) + (i * 1_000_000_000L);
                    return (ts, $"level=info app={app} user=u{i % 7} status={(i % 9 == 0 ? 500 : 200)} path=/v1/items/{i * 31 % 97} took={i % 13}ms");
                });
                await server.PushAndFlushAsync($$"""{"app":"{{app}}"}""", entries);
            }
        }
        var from = CompactorServer.HoursAgoNs(7);
        var to = CompactorServer.HoursAgoNs(3.5);
        var before = await MatrixAsync(server, from, to);
        Assert.Contains("status=500", before[2]);
        Assert.Contains("\"values\":[[", before[^1]);
        var small = await server.KeysAsync("fake/chunks/");
        Assert.Equal(24, small.Count);
        long bytesBefore = 0;
        foreach (var key in small)
        {
            bytesBefore += (await server.Store.GetAsync(key))!.Length;
        }

        // Stopped after the upload and the marker, before the index switch: old and new chunks both exist.
        crash.Armed = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Compactor.RunOnceAsync());
        Assert.Equal(26, (await server.KeysAsync("fake/chunks/")).Count);
        Assert.Equal(before, await MatrixAsync(server, from, to));

        var run = await server.Compactor.RunOnceAsync();
        Assert.Equal(24, run.ChunksCompacted);
        Assert.Equal(2, run.ChunksCompactedInto);
        // Switched: the index names only the new chunks, the old objects wait for the delay.
        Assert.Equal(before, await MatrixAsync(server, from, to));
        Assert.Equal(26, (await server.KeysAsync("fake/chunks/")).Count);

        server.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var sweep = await server.Compactor.RunOnceAsync();
        Assert.Equal(24, sweep.ChunksDeleted);
        Assert.Equal(0, sweep.ChunksCompacted);
        Assert.Equal(before, await MatrixAsync(server, from, to));

        var left = await server.KeysAsync("fake/chunks/");
        Assert.Equal(2, left.Count);
        long bytesAfter = 0;
        foreach (var key in left)
        {
            var data = (await server.Store.GetAsync(key))!;
            bytesAfter += data.Length;
            Assert.Equal(BlockCodec.Zstd, ChunkReader.Open(data).Codec);
        }
        Assert.True(bytesAfter * 2 < bytesBefore, $"{bytesBefore} bytes before, {bytesAfter} after");
        Assert.Empty(await server.KeysAsync("compactor/markers/"));
        var grains = server.Services.GetRequiredService<IGrainFactory>();
        var referenced = new List<string>();
        foreach (var key in await server.KeysAsync("fake/index/"))
        {
            foreach (var series in await grains.GetGrain<IIndexGrain>($"fake/{key.Split('/')[2]}").SnapshotAsync())
            {
                referenced.AddRange(series.Chunks.Select(c => c.Key));
            }
        }
        Assert.Equal(left.Order(), referenced.Distinct().Order());
        var metrics = (await server.SendAsync(HttpMethod.Get, "/metrics")).Body;
        Assert.Matches(@"(?m)^loki_compactor_recompressed_bytes_after_total [1-9]", metrics);
    }
}
