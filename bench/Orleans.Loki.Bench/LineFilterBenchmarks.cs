using BenchmarkDotNet.Attributes;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Bench;

/// <summary>Line filters over mixed logfmt/JSON/nginx lines; one operation is one line.</summary>
/// <remarks>BenchmarkDotNet requires public, unsealed benchmark classes.</remarks>
[MemoryDiagnoser]
public class LineFilterBenchmarks
{
    /// <summary>Lines per invocation.</summary>
    public const int LineCount = 4096;

    private byte[][] _lines = null!;
    private LineFilter _contains = null!;
    private LineFilter _regex = null!;
    private LineFilter _containsIgnoreCase = null!;
    private LineFilter _regexIgnoreCase = null!;

    [GlobalSetup]
    public void Setup()
    {
        _lines = BenchData.MixedLines(LineCount);
        _contains = LineFilter.Contains("cache miss");
        _containsIgnoreCase = LineFilter.Contains("Cache Miss", ignoreCase: true);
        _regex = Regex("user_id=u-12[0-9]+");
        _regexIgnoreCase = Regex("(?i)Cache Miss");
    }

    /// <summary><c>|= "cache miss"</c>.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int ContainsLiteral() => Count(_contains);

    /// <summary><c>|~ "user_id=u-12[0-9]+"</c>: a regex with a required literal prefix.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int RegexWithLiteral() => Count(_regex);

    /// <summary>Case-insensitive contains (what <c>|~ "(?i)cache miss"</c> reduces to).</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int ContainsIgnoreCase() => Count(_containsIgnoreCase);

    /// <summary><c>|~ "(?i)Cache Miss"</c> through the regex filter factory.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int RegexIgnoreCaseLiteral() => Count(_regexIgnoreCase);

    private int Count(LineFilter filter)
    {
        var count = 0;
        foreach (var line in _lines)
        {
            count += filter.Matches(line) ? 1 : 0;
        }

        return count;
    }

    private static LineFilter Regex(string pattern) =>
        LineFilter.TryRegex(pattern, out var filter, out var error) ? filter : throw new InvalidOperationException(error);
}
