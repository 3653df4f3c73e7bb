using BenchmarkDotNet.Attributes;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Bench;

/// <summary>Metric range queries through <see cref="LogQLEngine"/> over 10,000 in-memory lines (~2.4 MB); one operation is one query.</summary>
/// <remarks>BenchmarkDotNet requires public, unsealed benchmark classes.</remarks>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const int Lines = 10_000;
    private LogQLEngine _engine = null!;
    private long _start;
    private long _end;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = BenchData.Corpus;
        var entries = corpus.Entries.Take(Lines).ToArray();
        var streams = entries
            .GroupBy(e => e.Stream)
            .Select(g => new InputStream(
                corpus.Streams[g.Key].Labels,
                [.. g.Select(e => new InputEntry(e.TimestampNs, System.Text.Encoding.UTF8.GetString(corpus.Line(e).Span)))]));
        _engine = new LogQLEngine(new InMemoryLogQuerier(streams), new EngineOptions());
        _start = entries[0].TimestampNs;
        _end = entries[^1].TimestampNs + 1;
    }

    /// <summary><c>sum by (app) (count_over_time({job="loadtest"}[1m]))</c>: selector and windows only.</summary>
    [Benchmark]
    public Task<int> CountOverTimeByApp() => Run("sum by (app) (count_over_time({job=\"loadtest\"}[1m]))");

    /// <summary><c>sum by (level) (count_over_time({job="loadtest", format="logfmt"} | logfmt [1m]))</c>: with parsing.</summary>
    [Benchmark]
    public Task<int> LogfmtCountByLevel() => Run("sum by (level) (count_over_time({job=\"loadtest\", format=\"logfmt\"} | logfmt [1m]))");

    private async Task<int> Run(string query)
    {
        var result = await _engine.ExecuteAsync(new QueryParams { Query = query, StartNs = _start, EndNs = _end, StepNs = 15_000_000_000 }, CancellationToken.None).ConfigureAwait(false);
        return result.Matrix?.Count ?? throw new InvalidOperationException($"expected a matrix, got {result.ResultType}");
    }
}
