using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>
/// Many concurrent clients over several tenants, one of them far above its rate limit, through real HTTP against the
/// whole server. Bounded in count (at most <see cref="PushesPerClient"/> pushes per client) and in time (a deadline).
/// </summary>
public sealed class OverloadTests
{
    private const int PushesPerClient = 40;
    private const int LinesPerPush = 50;
    private const int LineBytes = 200;

    [Fact]
    public async Task LimitedTenantGets429s_OthersAreNeverLimited_AndEveryAcknowledgedEntryIsReadable()
    {
        var overrides = await WriteOverridesAsync();
        // The noisy tenant may push ~50 KB/s with a ~100 KB burst; each of its pushes is ~10 KB. The others keep
        // Loki's defaults (4 MB/s, 6 MB burst), far above what one client offers here.
        (string Tenant, int Clients)[] plan = [("noisy", 3), ("quiet-1", 1), ("quiet-2", 1), ("quiet-3", 1)];
        await using var limited = await LokiTestServer.StartAsync($"""
            auth_enabled: true
            runtime_config:
              file: {overrides}
            """);

        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<(long Ts, string Line)>>();
        var statuses = new ConcurrentDictionary<(string Tenant, HttpStatusCode Status), int>();
        var deadline = Stopwatch.StartNew();
        var start = TestClock.NowNs;
        var peakHeap = 0L;
        var clients = plan.SelectMany(p => Enumerable.Range(0, p.Clients).Select(c => (p.Tenant, Client: c))).ToList();
        await Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
        {
            for (var push = 0; push < PushesPerClient && deadline.Elapsed < TimeSpan.FromSeconds(20); push++)
            {
                var entries = Enumerable.Range(0, LinesPerPush)
                    .Select(i => (Ts: start + (((long)index * PushesPerClient * LinesPerPush) + (push * LinesPerPush) + i) * 1000, Line: $"c{index} p{push} i{i} ".PadRight(LineBytes, 'x')))
                    .ToList();
                var (status, body, _) = await limited.PushAsync($"{{\"app\":\"load\",\"client\":\"{index}\"}}", entries, client.Tenant);
                statuses.AddOrUpdate((client.Tenant, status), 1, (_, n) => n + 1);
                if (status == HttpStatusCode.NoContent)
                {
                    var bag = acknowledged.GetOrAdd(client.Tenant, _ => []);
                    foreach (var entry in entries)
                    {
                        bag.Add(entry);
                    }
                }
                else
                {
                    Assert.True(status == HttpStatusCode.TooManyRequests, $"{client.Tenant}: {(int)status} {body}");
                    Assert.StartsWith($"Ingestion rate limit exceeded for user {client.Tenant} (limit: 52428 bytes/sec)", body);
                }
                Interlocked.Exchange(ref peakHeap, Math.Max(Interlocked.Read(ref peakHeap), GC.GetTotalMemory(false)));
            }
        })));

        Assert.True(statuses.GetValueOrDefault(("noisy", HttpStatusCode.TooManyRequests)) > 0, "the noisy tenant was never limited");
        Assert.True(statuses.GetValueOrDefault(("noisy", HttpStatusCode.NoContent)) > 0, "the noisy tenant got nothing through");
        foreach (var quiet in plan.Where(p => p.Tenant != "noisy"))
        {
            Assert.Equal(0, statuses.GetValueOrDefault((quiet.Tenant, HttpStatusCode.TooManyRequests)));
            Assert.True(statuses.GetValueOrDefault((quiet.Tenant, HttpStatusCode.NoContent)) > 0, $"{quiet.Tenant} made no progress");
        }
        // Everything in flight is bounded by the push body limits; the heap must not grow with the offered load.
        Assert.True(peakHeap < 1L << 30, $"managed heap peaked at {peakHeap} bytes");

        var end = TestClock.NowNs + 60_000_000_000;
        foreach (var (tenant, bag) in acknowledged)
        {
            var expected = bag.OrderBy(e => e.Ts).Select(e => e.Line).ToList();
            Assert.True(expected.Count <= 5000, "keep each tenant within one query's limit");
            var read = await limited.QueryLinesAsync("{app=\"load\"}", start - 1_000_000_000, end, tenant);
            Assert.Equal(expected, read);
        }
        File.Delete(overrides);
    }

    private static async Task<string> WriteOverridesAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), "loki-overload-" + Guid.NewGuid().ToString("n") + ".yaml");
        await File.WriteAllTextAsync(file, """
            overrides:
              noisy:
                ingestion_rate_mb: 0.05
                ingestion_burst_size_mb: 0.1
            """);
        return file;
    }
}
