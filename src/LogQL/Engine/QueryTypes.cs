using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// A query to execute. Range queries evaluate at Start, Start+Step, … up to End inclusive; instant queries at <see cref="StartNs"/>
/// (set <see cref="EndNs"/> equal). Log queries return entries in [Start, End).
/// </summary>
public sealed record QueryParams
{
    /// <summary>Query text (parsed if <see cref="Expr"/> is null).</summary>
    public string? Query { get; init; }

    /// <summary>An already parsed query.</summary>
    public Expr? Expr { get; init; }

    /// <summary>Start (ns since epoch).</summary>
    public long StartNs { get; init; }

    /// <summary>End (ns since epoch).</summary>
    public long EndNs { get; init; }

    /// <summary>Step of a range query (ns).</summary>
    public long StepNs { get; init; }

    /// <summary>Log queries: at most one entry per interval (0 = all).</summary>
    public long IntervalNs { get; init; }

    /// <summary>Log queries: entry order.</summary>
    public Direction Direction { get; init; } = Direction.Backward;

    /// <summary>Log queries: maximum entries returned.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>True for /query (instant), false for /query_range.</summary>
    public bool Instant { get; init; }
}

/// <summary>Engine limits.</summary>
public sealed record EngineOptions
{
    /// <summary>Maximum series of a metric query result (Loki's max_query_series, default 500).</summary>
    public int MaxQuerySeries { get; init; } = 500;
}

/// <summary>Counters of one execution.</summary>
public sealed record QueryStatistics(long LinesProcessed, long BytesProcessed, long EntriesReturned, long SeriesReturned);

/// <summary>
/// A query result: <see cref="ResultType"/> is "streams", "matrix", "vector" or "scalar" and names the populated member.
/// </summary>
public sealed record QueryResult(
    string ResultType,
    List<ResultStream>? Streams,
    List<Series>? Matrix,
    List<VectorSample>? Vector,
    SamplePoint? Scalar,
    QueryStatistics Statistics);

/// <summary>A query that cannot be executed (limits, pipeline errors, invalid matching); the message is Loki's.</summary>
public sealed class QueryException(string message) : Exception(message);

/// <summary>The data source: the storage layer implements it; <see cref="InMemoryLogQuerier"/> serves tests and single slices.</summary>
public interface ILogQuerier
{
    /// <summary>Streams matching the selector with its pipeline applied; entries in [Start, End) in the requested direction.</summary>
    IAsyncEnumerable<ResultStream> SelectLogsAsync(SelectLogParams p, CancellationToken ct);

    /// <summary>Extracted samples per result series in [Start, End).</summary>
    IAsyncEnumerable<SampleSeries> SelectSamplesAsync(SelectSampleParams p, CancellationToken ct);
}
