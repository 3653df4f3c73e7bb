using System.Collections.Concurrent;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>
/// Delete requests compiled for one stream: a line is deleted when the stream matches a request's selector, its
/// timestamp is in the request's <c>[start, end]</c> (inclusive) and the request's pipeline accepts the line. Built
/// per reader (pipelines keep per-thread state); the parsed queries are shared.
/// </summary>
public sealed class DeleteFilter
{
    private static readonly ConcurrentDictionary<string, LogSelectorExpr> s_parsed = new(StringComparer.Ordinal);

    private readonly (long Start, long End, StreamPipeline? Pipeline)[] _rules;

    private DeleteFilter((long, long, StreamPipeline?)[] rules) => _rules = rules;

    /// <summary>The filter of <paramref name="specs"/> for a stream with <paramref name="labels"/>; null when none applies.</summary>
    public static DeleteFilter? ForStream(IReadOnlyList<DeleteFilterSpec>? specs, KeyValuePair<string, string>[] labels, long fromNs = long.MinValue, long throughNs = long.MaxValue)
    {
        if (specs is null || specs.Count == 0)
        {
            return null;
        }
        List<(long, long, StreamPipeline?)>? rules = null;
        foreach (var spec in specs)
        {
            if (spec.EndNs < fromNs || spec.StartNs >= throughNs)
            {
                continue;
            }
            var selector = Parse(spec.Query);
            if (!CompactorLimits.Matches(selector.Matchers, labels))
            {
                continue;
            }
            StreamPipeline? pipeline = selector.Stages.Count == 0 ? null : PipelineBuilder.Build(selector).ForStream(labels);
            (rules ??= []).Add((spec.StartNs, spec.EndNs, pipeline));
        }
        return rules is null ? null : new DeleteFilter([.. rules]);
    }

    /// <summary>The parsed selector of a delete query (a log selector with an optional pipeline).</summary>
    public static LogSelectorExpr Parse(string query) => s_parsed.GetOrAdd(query, static q => LogQLParser.Parse(q) as LogSelectorExpr
        ?? throw new ArgumentException($"delete query '{q}' is not a log selector", nameof(query)));

    /// <summary>True when the entry is deleted.</summary>
    public bool Deletes(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
    {
        foreach (var (start, end, pipeline) in _rules)
        {
            if (timestampNs < start || timestampNs > end)
            {
                continue;
            }
            if (pipeline is null)
            {
                return true;
            }
            var copy = line;
            if (pipeline.Process(timestampNs, ref copy, metadata))
            {
                return true;
            }
        }
        return false;
    }
}
