using Orleans.Loki.LogQL.Engine;
using Prometheus;

namespace Orleans.Loki.Gateway.Query.Frontend;

/// <summary>
/// Loki's <c>query_range.cache_results</c> with <c>results_cache.cache.embedded_cache</c>: the results of metric range
/// query splits, kept in memory up to <c>max_size_mb</c> (least recently used first out) for <c>ttl</c>.
/// </summary>
public sealed record ResultsCacheOptions
{
    /// <summary><c>query_range.cache_results</c> (Loki's default: off).</summary>
    public bool Enabled { get; init; }

    /// <summary><c>query_range.results_cache.cache.embedded_cache.max_size_mb</c> (100).</summary>
    public long MaxBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary><c>query_range.results_cache.cache.embedded_cache.ttl</c> (1h).</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Per-tenant cache generation numbers (Loki's <c>/loki/api/v1/cache/generation_numbers</c>): a delete request or a
/// retention change raises a tenant's number, and cached results of older numbers are never served again.
/// </summary>
public interface ICacheGenerations
{
    /// <summary>The tenant's current generation number.</summary>
    ValueTask<long> GetAsync(string tenant, CancellationToken ct);
}

/// <summary>Generation numbers kept in this process (a single-gateway deployment, and tests).</summary>
public sealed class LocalCacheGenerations : ICacheGenerations
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _numbers = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<long> GetAsync(string tenant, CancellationToken ct) => ValueTask.FromResult(_numbers.GetValueOrDefault(tenant));

    /// <summary>Raises <paramref name="tenant"/>'s number: everything cached for it so far is stale.</summary>
    public void Bump(string tenant) => _numbers.AddOrUpdate(tenant, 1, (_, n) => n + 1);
}

/// <summary>
/// The split results cache of the query frontend. A key names everything a split's result depends on: the tenants and
/// their generation numbers, the canonical query, the step, the split interval and the split's first and last step.
/// Splits whose last step is within <c>max_cache_freshness_per_query</c> of now are never cached (data still arrives
/// there), nor is anything while the cache is disabled.
/// </summary>
public sealed class ResultsCache
{
    private static readonly Counter s_fetched = Metrics.CreateCounter(
        "loki_cache_fetched_keys", "Total count of keys requested from the cache.", "name");

    private static readonly Counter s_hits = Metrics.CreateCounter(
        "loki_cache_hits", "Total count of keys found in the cache.", "name");

    private static readonly Gauge s_bytes = Metrics.CreateGauge(
        "loki_embeddedcache_memory_bytes", "Approximate bytes held by the embedded cache.", "cache");

    private const string Name = "frontend.results-cache";

    private readonly ResultsCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ICacheGenerations _generations;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Item>> _items = new(StringComparer.Ordinal);
    private readonly LinkedList<Item> _lru = new();
    private long _bytes;

    public ResultsCache(ResultsCacheOptions options, TimeProvider time, ICacheGenerations generations)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(generations);
        _options = options;
        _time = time;
        _generations = generations;
    }

    /// <summary>Whether results are cached at all (<c>query_range.cache_results</c>).</summary>
    public bool Enabled => _options.Enabled && _options.MaxBytes > 0;

    /// <summary>Bytes held (an estimate of the results' size in memory).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Entries held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>
    /// The key of a metric split, or null when the split must not be cached: disabled, or its last step is newer than
    /// <paramref name="maxFreshness"/> before now (Loki's <c>max_cache_freshness_per_query</c>; 0 caches everything
    /// but the future).
    /// </summary>
    public async ValueTask<string?> KeyAsync(string[] tenants, string canonicalQuery, long stepNs, long intervalNs, long firstNs, long lastNs, TimeSpan maxFreshness, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        if (!Enabled)
        {
            return null;
        }
        var nowNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        if (lastNs > nowNs - (maxFreshness.Ticks * 100))
        {
            return null;
        }
        var parts = new string[tenants.Length];
        for (var i = 0; i < tenants.Length; i++)
        {
            parts[i] = tenants[i] + "#" + await _generations.GetAsync(tenants[i], ct).ConfigureAwait(false);
        }
        return $"{string.Join('|', parts)}\n{stepNs}:{intervalNs}:{firstNs}:{lastNs}\n{canonicalQuery}";
    }

    /// <summary>The cached result of <paramref name="key"/>, if present and younger than the ttl.</summary>
    public bool TryGet(string key, out QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(key);
        s_fetched.WithLabels(Name).Inc();
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var node))
            {
                if (_time.GetUtcNow() - node.Value.Stored <= _options.Ttl)
                {
                    _lru.Remove(node);
                    _lru.AddFirst(node);
                    result = node.Value.Result;
                    s_hits.WithLabels(Name).Inc();
                    return true;
                }
                Remove(node);
            }
        }
        result = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="result"/> under <paramref name="key"/>, evicting the least recently used entries.</summary>
    public void Put(string key, QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(result);
        var size = SizeOf(key, result);
        if (size > _options.MaxBytes)
        {
            return;
        }
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var existing))
            {
                Remove(existing);
            }
            var node = _lru.AddFirst(new Item(key, result, size, _time.GetUtcNow()));
            _items.Add(key, node);
            _bytes += size;
            while (_bytes > _options.MaxBytes && _lru.Last is { } last)
            {
                Remove(last);
            }
            s_bytes.WithLabels(Name).Set(_bytes);
        }
    }

    private void Remove(LinkedListNode<Item> node)
    {
        _lru.Remove(node);
        _items.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }

    /// <summary>An estimate of the bytes a result holds: labels, strings and 16 bytes a point.</summary>
    private static long SizeOf(string key, QueryResult result)
    {
        long size = 128 + (2L * key.Length);
        foreach (var s in result.Matrix ?? [])
        {
            size += 96 + (2L * s.LabelsString.Length) + (32L * s.Labels.Length) + (16L * s.Points.Count);
        }
        return size;
    }

    private sealed record Item(string Key, QueryResult Result, long Size, DateTimeOffset Stored);
}
