using BenchmarkDotNet.Attributes;
using Orleans.Loki.Bench.Generation;
using Orleans.Loki.LogQL.Log;
using Orleans.Loki.Model;

namespace Orleans.Loki.Bench;

/// <summary><c>| logfmt</c> and <c>| json</c> over generated lines; one operation is one line.</summary>
/// <remarks>BenchmarkDotNet requires public, unsealed benchmark classes.</remarks>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    /// <summary>Lines per invocation.</summary>
    public const int LineCount = 1024;

    private byte[][] _logfmtLines = null!;
    private byte[][] _jsonLines = null!;
    private readonly LogfmtParser _logfmt = new();
    private readonly JsonParser _json = new();
    private readonly LogfmtParser _logfmtHinted = new(hints: new ParserHints(["status"]));
    private readonly JsonParser _jsonHinted = new(new ParserHints(["level"]));
    private readonly IStage _statusFilter = LabelFilter.Numeric("status", ComparisonOperator.GreaterOrEqual, 500);
    private readonly IStage _levelFilter = LabelFilter.String(LabelMatcher.Equal("level", "error"));
    private LabelsBuilder _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        _logfmtLines = BenchData.Lines(LineFormat.Logfmt, LineCount);
        _jsonLines = BenchData.Lines(LineFormat.Json, LineCount);
        _labels = new LabelsBuilder([new("app", "svc-001"), new("job", "loadtest")]);
    }

    [Benchmark(OperationsPerInvoke = LineCount)]
    public int Logfmt() => Parse(_logfmt, _logfmtLines);

    [Benchmark(OperationsPerInvoke = LineCount)]
    public int Json() => Parse(_json, _jsonLines);

    /// <summary><c>| logfmt | status &gt;= 500</c> with every label extracted, as a log query runs it.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int LogfmtStatusFilter() => Parse(_logfmt, _logfmtLines, _statusFilter);

    /// <summary><c>| json | level="error"</c> with every label extracted, as a log query runs it.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int JsonLevelFilter() => Parse(_json, _jsonLines, _levelFilter);

    /// <summary><c>| logfmt | status &gt;= 500</c> with the hint the engine plans under <c>sum</c>: only <c>status</c> is extracted.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int LogfmtHintedStatusFilter() => Parse(_logfmtHinted, _logfmtLines, _statusFilter);

    /// <summary><c>| json | level="error"</c> with the hint the engine plans under <c>sum</c>: only <c>level</c> is extracted.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int JsonHintedLevelFilter() => Parse(_jsonHinted, _jsonLines, _levelFilter);

    private int Parse(IStage parser, byte[][] lines, IStage? filter = null)
    {
        var kept = 0;
        foreach (var line in lines)
        {
            _labels.Reset();
            ReadOnlySpan<byte> span = line;
            kept += parser.Process(0, ref span, _labels) && (filter is null || filter.Process(0, ref span, _labels)) && !_labels.HasError ? 1 : 0;
        }

        return kept;
    }
}
