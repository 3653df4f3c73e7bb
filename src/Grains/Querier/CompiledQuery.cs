using System.Collections.Concurrent;
using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Log;
using SampleExtractor = Orleans.Loki.LogQL.Engine.SampleExtractor;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// A sub-query's text parsed once per process, with pools of its built pipelines: building compiles regexes and
/// parsers, and a pipeline keeps per-thread scratch state, so each concurrent reader rents its own.
/// </summary>
internal sealed class CompiledQuery
{
    private const int MaxCached = 512;
    // Up to one per series scanned at once (a shard scans all its series concurrently).
    private const int MaxPooled = 128;
    private static readonly ConcurrentDictionary<(string, bool, string), CompiledQuery> s_cache = new();

    private readonly Pool<Pipeline> _pipelines = new();
    private readonly Pool<SampleExtractor> _extractors = new();

    private readonly string[]? _requiredLabels;

    private CompiledQuery(LogSelectorExpr selector, RangeAggregationExpr? range, string[]? requiredLabels)
    {
        Selector = selector;
        Range = range;
        _requiredLabels = requiredLabels;
        BlockFilter = QuerierGrain.BlockFilter(selector.RequiredLiterals);
    }

    /// <summary>The selector and pipeline.</summary>
    public LogSelectorExpr Selector { get; }

    /// <summary>The range aggregation of a metric sub-query.</summary>
    public RangeAggregationExpr? Range { get; }

    /// <summary>Admits only blocks whose token filter allows every required literal; null when nothing is required.</summary>
    public Func<BlockMeta, bool>? BlockFilter { get; }

    /// <summary>
    /// The parsed form of <paramref name="text"/> (a log selector, or a range aggregation when <paramref name="samples"/>,
    /// whose parsers extract only <paramref name="requiredLabels"/> when given).
    /// </summary>
    /// <exception cref="QueryException">The text is not a query of the expected kind.</exception>
    public static CompiledQuery Get(string text, bool samples, string[]? requiredLabels = null)
    {
        var key = (text, samples, requiredLabels is null ? "\0" : string.Join('\n', requiredLabels));
        if (s_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var expr = LogQLParser.Parse(text);
        var compiled = (expr, samples) switch
        {
            (LogSelectorExpr s, false) => new CompiledQuery(s, null, null),
            (RangeAggregationExpr r, true) => new CompiledQuery(r.Left.Left, r, requiredLabels),
            _ => throw new QueryException($"not a {(samples ? "range aggregation" : "log selector")}: {text}"),
        };
        if (s_cache.Count >= MaxCached)
        {
            // Query texts embed literals, so the set is unbounded; dropping everything now and then is simpler than LRU
            // and costs one parse per distinct query afterwards.
            s_cache.Clear();
        }
        return s_cache.GetOrAdd(key, compiled);
    }

    public Pipeline RentPipeline() => _pipelines.Rent() ?? PipelineBuilder.Build(Selector);

    public void Return(Pipeline pipeline) => _pipelines.Return(pipeline);

    public SampleExtractor RentExtractor() =>
        _extractors.Rent() ?? SampleExtractorBuilder.Build(new SelectSampleParams(Range!, 0, 0) { RequiredLabels = _requiredLabels });

    public void Return(SampleExtractor extractor) => _extractors.Return(extractor);

    /// <summary>Flattens label pairs as <c>name, value, …</c> for the wire; null for none.</summary>
    public static string[]? Flatten(KeyValuePair<string, string>[]? pairs)
    {
        if (pairs is null || pairs.Length == 0)
        {
            return null;
        }
        var result = new string[pairs.Length * 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            result[2 * i] = pairs[i].Key;
            result[(2 * i) + 1] = pairs[i].Value;
        }
        return result;
    }

    /// <summary>Decodes a selected line (only selected lines become strings).</summary>
    public static string Text(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line);

    /// <summary>
    /// At most <see cref="MaxPooled"/> idle instances. The size is counted apart: <c>ConcurrentBag.Count</c> freezes the
    /// bag under a global lock, and <see cref="Return"/> runs once per series.
    /// </summary>
    private sealed class Pool<T>
        where T : class
    {
        private readonly ConcurrentBag<T> _items = [];
        private int _count;

        /// <summary>An idle instance, or null when there is none.</summary>
        public T? Rent()
        {
            if (_items.TryTake(out var item))
            {
                Interlocked.Decrement(ref _count);
                return item;
            }
            return null;
        }

        public void Return(T item)
        {
            if (Interlocked.Increment(ref _count) <= MaxPooled)
            {
                _items.Add(item);
            }
            else
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
