using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query.Frontend;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// A gateway with <c>query_range.cache_results: true</c> over the shared cluster: repeated metric range queries are
/// answered from cached splits with identical results and nothing read, splits within the freshness limit are always
/// read, and a generation bump (a delete request) makes every cached split of the tenant stale.
/// </summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class ResultsCacheHttpTests(GatewayClusterFixture fixture) : IAsyncLifetime
{
    private const long MinuteNs = 60_000_000_000L;
    private const string Query = "sum by (pod) (count_over_time({app=\"cached\"}[1m]))";
    private WebApplication? _app;
    private HttpClient _http = null!;
    private long _base;

    public async Task InitializeAsync()
    {
        _app = await TestGateway.StartAsync(fixture.Cluster.Client, GatewayClusterFixture.Ingester,
            new GatewayOptions { ResultsCache = new ResultsCacheOptions { Enabled = true } },
            services: s => s.AddSingleton<ITenantLimits>(new CacheLimits()));
        _http = _app.GetTestClient();

        // Two hours ago, one entry a minute for an hour, in two streams; flushed to chunks.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        _base = (now / (60 * MinuteNs) * (60 * MinuteNs)) - (120 * MinuteNs);
        await PushAsync(Enumerable.Range(0, 60).SelectMany(i => new[] { ("a", _base + (i * MinuteNs)), ("b", _base + (i * MinuteNs) + 1) }));
        using var flushed = await _http.PostAsync("/flush", null);
        Assert.Equal(HttpStatusCode.NoContent, flushed.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Repeated_queries_are_answered_from_the_cache_until_the_generation_changes()
    {
        var start = _base;
        var end = _base + (59 * MinuteNs);
        var (first, firstLines) = await RangeAsync(start, end);
        Assert.Equal(60, first["{pod=a}"].Count(v => v == "1"));
        Assert.True(firstLines > 0);

        var (second, secondLines) = await RangeAsync(start, end);
        Assert.Equal(first, second);
        Assert.Equal(0, secondLines); // every split (10m each) came from the cache

        // A late entry lands inside a cached split: as Loki's cache, it is not seen until the tenant's generation moves.
        await PushAsync([("a", _base + (30 * MinuteNs) - 5)]);
        var (stale, _) = await RangeAsync(start, end);
        Assert.Equal(first, stale);

        _app!.Services.GetRequiredService<LocalCacheGenerations>().Bump("fake");
        var (fresh, freshLines) = await RangeAsync(start, end);
        Assert.True(freshLines > 0);
        Assert.Equal("2", fresh["{pod=a}"][30]);
        Assert.Equal("1", fresh["{pod=a}"][29]);
    }

    [Fact]
    public async Task Splits_newer_than_the_freshness_limit_are_read_every_time()
    {
        // Freshness is 10m: a range ending now has its newest split read on every run, the older ones cached.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 / MinuteNs * MinuteNs;
        await PushAsync([("c", now - MinuteNs)]);
        var (first, _) = await RangeAsync(now - (60 * MinuteNs), now, "{app=\"cached\", pod=\"c\"}");
        var (second, secondLines) = await RangeAsync(now - (60 * MinuteNs), now, "{app=\"cached\", pod=\"c\"}");
        Assert.Equal(first, second);
        Assert.True(secondLines > 0);
    }

    private async Task PushAsync(IEnumerable<(string Pod, long Ts)> entries)
    {
        var streams = entries.GroupBy(e => e.Pod).Select(g =>
            $"{{\"stream\":{{\"app\":\"cached\",\"pod\":\"{g.Key}\"}},\"values\":[{string.Join(",", g.Select(e => $"[\"{e.Ts}\",\"line {e.Ts}\"]"))}]}}");
        using var push = await _http.PostAsync("/loki/api/v1/push", new StringContent($"{{\"streams\":[{string.Join(",", streams)}]}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, push.StatusCode);
    }

    private async Task<(Dictionary<string, string[]> Series, long Lines)> RangeAsync(long start, long end, string selector = "{app=\"cached\"}")
    {
        var (status, body) = await QueryClient.RangeAsync(_http, Query.Replace("{app=\"cached\"}", selector, StringComparison.Ordinal), start, end, MinuteNs);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var lines = doc.RootElement.GetProperty("data").GetProperty("stats").GetProperty("summary").GetProperty("totalLinesProcessed").GetInt64();
        var series = new Dictionary<string, string[]>();
        foreach (var s in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = "{" + string.Join(",", s.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")) + "}";
            // one value per step from start to end: missing steps as "0" keeps positions aligned
            var byTs = s.GetProperty("values").EnumerateArray().ToDictionary(v => (long)Math.Round(v[0].GetDouble() * 1e9), v => v[1].GetString()!);
            series[labels] = [.. Enumerable.Range(0, (int)((end - start) / MinuteNs) + 1).Select(i => byTs.GetValueOrDefault(start + (i * MinuteNs), "0"))];
        }
        return (series, lines);
    }

    private sealed class CacheLimits : ITenantLimits
    {
        private readonly QueryLimits _query = new() { SplitQueriesByInterval = TimeSpan.FromMinutes(10) };

        public Orleans.Loki.Push.ValidationLimits Validation(string tenant) => new();

        public QueryLimits Query(string tenant) => _query;

        public Orleans.Loki.Grains.Limits.IngestionLimits Ingestion(string tenant) => new();
    }
}
