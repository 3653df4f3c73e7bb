using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Compactor;

namespace Orleans.Loki.Compactor.Tests;

/// <summary>A run stopped between any two steps, then run again: the same result as an uninterrupted run, no orphans.</summary>
public sealed class CrashTests
{
    /// <summary>Throws once, before the named step.</summary>
    private sealed class CrashBefore(string step) : ICompactorFaults
    {
        public bool Fired { get; private set; }

        public void Before(string current)
        {
            if (current == step && !Fired)
            {
                Fired = true;
                throw new InvalidOperationException($"simulated crash before {step}");
            }
        }
    }

    [Theory]
    [InlineData(CompactorSteps.Upload)]
    [InlineData(CompactorSteps.Mark)]
    [InlineData(CompactorSteps.IndexSwitch)]
    [InlineData(CompactorSteps.MarkProcessed)]
    [InlineData(CompactorSteps.Sweep)]
    public async Task ARunStoppedBeforeAnyStep_IsFinishedByTheNextRun_WithExactResultsAndNoOrphans(string step)
    {
        var crash = new CrashBefore(step);
        await using var server = await CompactorServer.StartAsync("""
            compactor:
              retention_enabled: true
              retention_delete_delay: 0s
              compaction_interval: 24h
              cold_chunk_age: 1000h
              delete_request_cancel_period: 1h
            limits_config:
              retention_stream:
                - selector: '{app="expiring"}'
                  priority: 1
                  period: 24h
            """, services: s => s.AddSingleton<ICompactorFaults>(crash));
        var t0 = CompactorServer.HoursAgoNs(2);
        await server.PushAndFlushAsync("""{"app":"web"}""", [(t0, "keep 1"), (t0 + 1, "secret 1"), (t0 + 2, "keep 2")]);
        await server.PushAndFlushAsync("""{"app":"expiring"}""", [(CompactorServer.HoursAgoNs(30), "expired line")]);
        var from = CompactorServer.HoursAgoNs(40);
        var to = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        var (status, body, _) = await server.SendAsync(HttpMethod.Post, $"/loki/api/v1/delete?query={Uri.EscapeDataString("{app=\"web\"} |= \"secret\"")}&start={(from / 1_000_000_000)}&end={(to / 1_000_000_000)}");
        Assert.True(status == HttpStatusCode.NoContent, body);
        server.Clock.Advance(TimeSpan.FromMinutes(62));
        string[] expected = ["keep 1", "keep 2"];

        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Compactor.RunOnceAsync());
        Assert.True(crash.Fired);
        // Queries are exact while the work is half done: old and new chunks never both count.
        Assert.Equal(expected, await server.LinesAsync("""{app="web"}""", from, to));
        Assert.Equal(2, await server.CountAsync("""{app="web"}""", from, to));
        await AssertIndexPointsOnlyAtExistingChunksAsync(server);

        await server.Compactor.RunOnceAsync();
        await server.Compactor.RunOnceAsync();

        Assert.Equal(expected, await server.LinesAsync("""{app=~".+"}""", from, to));
        Assert.Equal(2, await server.CountAsync("""{app=~".+"}""", from, to));
        Assert.Equal("processed", Assert.Single((await server.GetJsonAsync("/loki/api/v1/delete")).EnumerateArray()).GetProperty("status").GetString());
        Assert.Empty(await server.KeysAsync("compactor/markers/"));
        var referenced = await AssertIndexPointsOnlyAtExistingChunksAsync(server);
        var objects = await server.KeysAsync("fake/chunks/");
        Assert.Equal(referenced.Order(), objects.Order());
        Assert.Single(objects);
    }

    /// <summary>Every chunk an index file names exists; returns the names.</summary>
    private static async Task<List<string>> AssertIndexPointsOnlyAtExistingChunksAsync(CompactorServer server)
    {
        var grains = server.Services.GetRequiredService<IGrainFactory>();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in await server.KeysAsync("fake/index/"))
        {
            var day = key.Split('/')[2];
            foreach (var series in await grains.GetGrain<IIndexGrain>($"fake/{day}").SnapshotAsync())
            {
                referenced.UnionWith(series.Chunks.Select(c => c.Key));
            }
        }
        foreach (var key in referenced)
        {
            Assert.True(await server.Store.GetAsync(key) is not null, $"the index names {key}, which does not exist");
        }
        return [.. referenced];
    }
}
