using BenchmarkDotNet.Attributes;
using Orleans.Loki.Bench.Generation;
using Orleans.Loki.LogQL.Log;

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

    private int Parse(IStage parser, byte[][] lines)
    {
        var kept = 0;
        foreach (var line in lines)
        {
            _labels.Reset();
            ReadOnlySpan<byte> span = line;
            kept += parser.Process(0, ref span, _labels) && !_labels.HasError ? 1 : 0;
        }

        return kept;
    }
}
