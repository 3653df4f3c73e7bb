using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;
using System.Text;

namespace Orleans.Loki.Cluster.Tests;

/// <summary>
/// A 2 write + 1 read + 1 backend cluster of real processes: requests are served by the role that owns them,
/// grains live where their role says, and kill -9 of a write or the backend process loses nothing acknowledged.
/// </summary>
public sealed class ClusterTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Requests_are_served_by_their_role_and_grains_live_on_their_role()
    {
        var start = Loki.NowNs();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await Loki.PushAsync(cluster.Write0.Client, $"{{\"test\":\"roles\",\"n\":\"{i}\"}}", start + i, $"line {i}"));
        }

        // Push only on write, queries only on read, rules only on backend; the others answer 404 as Loki does.
        using (var pushToRead = await cluster.Read.Client.PostAsync("/loki/api/v1/push", Loki.PushBody("{\"test\":\"roles\"}", [(start, "x")])))
        {
            Assert.Equal(HttpStatusCode.NotFound, pushToRead.StatusCode);
            Assert.Equal("404 page not found\n", await pushToRead.Content.ReadAsStringAsync());
        }
        using (var queryOnWrite = await cluster.Write1.Client.GetAsync("/loki/api/v1/query_range?query=%7Btest%3D%22roles%22%7D"))
        {
            Assert.Equal(HttpStatusCode.NotFound, queryOnWrite.StatusCode);
        }
        using (var rulesOnRead = await cluster.Read.Client.GetAsync("/loki/api/v1/rules"))
        {
            Assert.Equal(HttpStatusCode.NotFound, rulesOnRead.StatusCode);
        }
        var lines = await Loki.LinesAsync(cluster.Read.Client, "{test=\"roles\"}", start, Loki.NowNs() + 1_000_000_000);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"line {i}").Order(), lines.Order());

        const string group = "name: g1\nrules:\n  - alert: AlwaysOn\n    expr: sum(count_over_time({test=\"roles\"}[1m])) > 0\n";
        using (var set = await cluster.Backend.Client.PostAsync("/loki/api/v1/rules/ns1", new StringContent(group, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Accepted, set.StatusCode);
        }
        Assert.Contains("AlwaysOn", await cluster.Backend.Client.GetStringAsync("/loki/api/v1/rules/ns1"));

        // Every module is listed where it runs; /ready, /metrics, /services everywhere.
        Assert.Contains("ingester => Running", await cluster.Write0.Client.GetStringAsync("/services"));
        Assert.DoesNotContain("ingester", await cluster.Read.Client.GetStringAsync("/services"));
        Assert.Contains("ruler => Running", await cluster.Backend.Client.GetStringAsync("/services"));
        foreach (var silo in cluster.All)
        {
            using var metrics = await silo.Client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        }
        // Ring pages where Loki serves them: the distributor's on write, the ruler's on backend.
        Assert.Contains("<table", await cluster.Write0.Client.GetStringAsync("/distributor/ring"));
        Assert.Contains("backend", await cluster.Backend.Client.GetStringAsync("/ruler/ring"));
        using (var ringOnRead = await cluster.Read.Client.GetAsync("/ruler/ring"))
        {
            Assert.Equal(HttpStatusCode.NotFound, ringOnRead.StatusCode);
        }

        // Placement: stream grains on both write silos and nowhere else; index grains only on the backend.
        var silos = await Loki.SilosAsync(cluster.Read.Client);
        Assert.Equal(4, silos.Count);
        foreach (var (address, (target, grains)) in silos)
        {
            output.WriteLine($"{address} {target}: {string.Join(", ", grains.Select(g => $"{g.Key}={g.Value}"))}");
            var streams = grains.GetValueOrDefault("StreamGrain");
            if (target == "write")
            {
                Assert.True(streams > 0, $"no stream grain on write silo {address}");
            }
            else
            {
                Assert.Equal(0, streams);
                Assert.Equal(0, grains.GetValueOrDefault("TenantStreamsGrain"));
            }
            if (target != "backend")
            {
                Assert.Equal(0, grains.GetValueOrDefault("IndexGrain"));
                Assert.Equal(0, grains.GetValueOrDefault("RuleGroupGrain"));
            }
        }
    }

    [Fact]
    public async Task Kill_9_of_a_write_process_under_load_loses_and_doubles_nothing_acknowledged()
    {
        const int clients = 4;
        const int streamsPerClient = 3;
        var start = Loki.NowNs();
        var acknowledged = new ConcurrentDictionary<string, bool>();
        var failures = new ConcurrentBag<(HttpStatusCode? Status, string Body, long AtMs)>();
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        long killedAtMs = -1;
        long firstSuccessAfterKillMs = -1;
        using var stop = new CancellationTokenSource();
        var writers = new[] { cluster.Write0, cluster.Write1 };

        async Task ClientAsync(int c)
        {
            using var http0 = new HttpClient { BaseAddress = cluster.Write0.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            using var http1 = new HttpClient { BaseAddress = cluster.Write1.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            for (var seq = 0; !stop.IsCancellationRequested; seq++)
            {
                var stream = seq % streamsPerClient;
                var line = $"c={c} s={stream} seq={seq}";
                // Alternate between the write processes; once write 0 is dead, only write 1 is asked.
                var http = Volatile.Read(ref killedAtMs) < 0 && seq % 2 == 0 ? http0 : http1;
                var sent = clock.Elapsed;
                try
                {
                    using var response = await http.PostAsync("/loki/api/v1/push", Loki.PushBody($"{{\"test\":\"kill\",\"c\":\"{c}\",\"s\":\"{stream}\"}}", [(start + seq, line)]));
                    latencies.Add((clock.Elapsed - sent).TotalMilliseconds);
                    if (response.StatusCode == HttpStatusCode.NoContent)
                    {
                        acknowledged[line] = true;
                        if (Volatile.Read(ref killedAtMs) >= 0)
                        {
                            Interlocked.CompareExchange(ref firstSuccessAfterKillMs, clock.ElapsedMilliseconds, -1);
                        }
                    }
                    else
                    {
                        var body = await response.Content.ReadAsStringAsync();
                        Assert.True((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)response.StatusCode} {body}");
                        Assert.False(string.IsNullOrWhiteSpace(body), $"empty {(int)response.StatusCode}");
                        failures.Add((response.StatusCode, body.Trim(), clock.ElapsedMilliseconds));
                    }
                }
                catch (HttpRequestException e)
                {
                    // The killed process: connection refused or reset.
                    failures.Add((null, e.Message, clock.ElapsedMilliseconds));
                }
            }
        }

        var load = Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c))).ToArray();
        await WaitForAsync(() => acknowledged.Count >= 100, TimeSpan.FromSeconds(60));
        Volatile.Write(ref killedAtMs, clock.ElapsedMilliseconds);
        await cluster.Write0.KillAsync();
        var ackedAtKill = acknowledged.Count;
        // Keep pushing until every client's streams have been acknowledged again well after the kill.
        await WaitForAsync(() => acknowledged.Count >= ackedAtKill + 200, TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var end = Loki.NowNs() + 1_000_000_000;
        AssertExactlyOnce(await Loki.LinesAsync(cluster.Read.Client, "{test=\"kill\"}", start, end), acknowledged.Keys, "survivors");

        await cluster.Write0.StartAsync();
        AssertExactlyOnce(await Loki.LinesAsync(cluster.Read.Client, "{test=\"kill\"}", start, end), acknowledged.Keys, "after restart");

        var sorted = latencies.Order().ToArray();
        var afterKill = failures.Where(f => f.AtMs >= killedAtMs).ToArray();
        output.WriteLine($"acknowledged {acknowledged.Count}, failed {failures.Count} ({afterKill.Length} after the kill); kill -> first success {firstSuccessAfterKillMs - killedAtMs} ms; " +
            $"failure window {(afterKill.Length == 0 ? 0 : afterKill.Max(f => f.AtMs) - killedAtMs)} ms; push p50 {sorted[sorted.Length / 2]:F0} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:F0} ms, max {sorted[^1]:F0} ms");
        foreach (var text in afterKill.Where(f => f.Status is not null).Select(f => $"{(int)f.Status!} {f.Body}").Distinct().Take(5))
        {
            output.WriteLine(text);
        }
    }

    [Fact]
    public async Task Kill_9_of_the_backend_then_restart_keeps_rules_and_queries()
    {
        var start = Loki.NowNs();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await Loki.PushAsync(cluster.Write1.Client, $"{{\"test\":\"backend\",\"n\":\"{i % 3}\"}}", start + i, $"b {i}"));
        }
        using (var flush = await cluster.Write1.Client.PostAsync("/flush", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, flush.StatusCode);
        }
        const string group = "name: g2\nrules:\n  - record: backend:lines\n    expr: sum(count_over_time({test=\"backend\"}[1m]))\n";
        using (var set = await cluster.Backend.Client.PostAsync("/loki/api/v1/rules/ns2", new StringContent(group, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Accepted, set.StatusCode);
        }

        await cluster.Backend.KillAsync();
        // With no backend the index module is missing: queries answer with a text (503) or, for streams still in
        // memory, succeed; never an empty 500 or a hang.
        using (var during = await cluster.Read.Client.GetAsync($"/loki/api/v1/query_range?query=%7Btest%3D%22backend%22%7D&start={start}&end={Loki.NowNs() + 1_000_000_000}"))
        {
            var body = await during.Content.ReadAsStringAsync();
            output.WriteLine($"during: {(int)during.StatusCode} {body[..Math.Min(200, body.Length)]}");
            Assert.True(during.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)during.StatusCode} {body}");
            Assert.False(string.IsNullOrWhiteSpace(body));
        }

        await cluster.Backend.StartAsync();
        var lines = await Loki.LinesAsync(cluster.Read.Client, "{test=\"backend\"}", start, Loki.NowNs() + 1_000_000_000);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"b {i}").Order(), lines.Order());
        Assert.Contains("backend:lines", await cluster.Backend.Client.GetStringAsync("/loki/api/v1/rules/ns2"));
        var silos = await Loki.SilosAsync(cluster.Backend.Client);
        Assert.Equal(4, silos.Count);
    }

    private static void AssertExactlyOnce(List<string> lines, ICollection<string> acknowledged, string when)
    {
        var counts = lines.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var doubled = counts.Where(c => c.Value > 1).Select(c => c.Key).Take(5).ToArray();
        Assert.True(doubled.Length == 0, $"{when}: returned more than once: {string.Join("; ", doubled)}");
        var lost = acknowledged.Where(a => !counts.ContainsKey(a)).Take(5).ToArray();
        Assert.True(lost.Length == 0, $"{when}: acknowledged but lost ({acknowledged.Count(a => !counts.ContainsKey(a))}): {string.Join("; ", lost)}");
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            Assert.True(deadline.Elapsed < timeout, "condition not met in time");
            await tick.WaitForNextTickAsync();
        }
    }
}
