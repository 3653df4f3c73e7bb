using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Gateway.Query.Frontend;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>The split results cache on its own: keys, freshness, generations, ttl and the LRU size bound.</summary>
public sealed class ResultsCacheTests
{
    private const long MinuteNs = 60_000_000_000L;

    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static long NowNs => s_now.ToUnixTimeMilliseconds() * 1_000_000;

    private static QueryResult Matrix(int points, double value = 1) => new("matrix", null,
        [new Series([new("app", "x")], "{app=\"x\"}", [.. Enumerable.Range(0, points).Select(i => new SamplePoint(i * MinuteNs, value))])],
        null, null, new QueryStatistics(10, 100, 0, 1));

    private static (ResultsCache Cache, FakeTimeProvider Time, LocalCacheGenerations Generations) Create(long maxBytes = 1 << 20, bool enabled = true)
    {
        var time = new FakeTimeProvider(s_now);
        var generations = new LocalCacheGenerations();
        return (new ResultsCache(new ResultsCacheOptions { Enabled = enabled, MaxBytes = maxBytes, Ttl = TimeSpan.FromHours(1) }, time, generations), time, generations);
    }

    private static ValueTask<string?> Key(ResultsCache cache, long lastNs, string query = "count_over_time({app=\"x\"}[1m])", string tenant = "t") =>
        cache.KeyAsync([tenant], query, MinuteNs, 60 * MinuteNs, lastNs - (59 * MinuteNs), lastNs, TimeSpan.FromMinutes(10), CancellationToken.None);

    [Fact]
    public async Task A_split_older_than_the_freshness_limit_is_kept_and_served()
    {
        var (cache, _, _) = Create();
        var key = await Key(cache, NowNs - (11 * MinuteNs));
        Assert.NotNull(key);
        Assert.False(cache.TryGet(key, out _));
        var result = Matrix(60);
        cache.Put(key, result);
        Assert.True(cache.TryGet(key, out var hit));
        Assert.Same(result, hit);
    }

    [Fact]
    public async Task Splits_within_the_freshness_limit_or_a_disabled_cache_get_no_key()
    {
        var (cache, _, _) = Create();
        Assert.Null(await Key(cache, NowNs - (9 * MinuteNs)));
        Assert.Null(await Key(cache, NowNs + MinuteNs));
        var (disabled, _, _) = Create(enabled: false);
        Assert.Null(await Key(disabled, NowNs - (60 * MinuteNs)));
    }

    [Fact]
    public async Task Keys_differ_by_query_tenant_and_generation()
    {
        var (cache, _, generations) = Create();
        var last = NowNs - (30 * MinuteNs);
        var key = await Key(cache, last);
        Assert.NotEqual(key, await Key(cache, last, query: "rate({app=\"x\"}[1m])"));
        Assert.NotEqual(key, await Key(cache, last, tenant: "u"));
        Assert.NotEqual(key, await Key(cache, last - MinuteNs));
        cache.Put(key!, Matrix(5));
        generations.Bump("t");
        var after = await Key(cache, last);
        Assert.NotEqual(key, after);
        Assert.False(cache.TryGet(after!, out _));
    }

    [Fact]
    public async Task Entries_expire_after_the_ttl()
    {
        var (cache, time, _) = Create();
        var key = (await Key(cache, NowNs - (30 * MinuteNs)))!;
        cache.Put(key, Matrix(5));
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(cache.TryGet(key, out _));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(cache.TryGet(key, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task The_least_recently_used_entries_leave_first_when_the_size_bound_is_reached()
    {
        // 100 points are about 2 KB: a 5 KB bound holds two such results.
        var (cache, _, _) = Create(maxBytes: 5_000);
        var keys = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            keys.Add((await Key(cache, NowNs - ((60 + i) * MinuteNs)))!);
        }
        cache.Put(keys[0], Matrix(100));
        cache.Put(keys[1], Matrix(100));
        Assert.True(cache.TryGet(keys[0], out _)); // keys[0] is now the most recently used
        cache.Put(keys[2], Matrix(100));
        Assert.True(cache.TryGet(keys[0], out _));
        Assert.False(cache.TryGet(keys[1], out _));
        Assert.True(cache.TryGet(keys[2], out _));
        Assert.True(cache.Bytes <= 5_000);
        // A result larger than the whole cache is not kept at all.
        cache.Put(keys[1], Matrix(1000));
        Assert.False(cache.TryGet(keys[1], out _));
    }
}
