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
    private byte[] _block = null!;
    private LineRange[] _ranges = null!;
    private bool[] _keep = null!;
    private LineFilter _contains = null!;
    private LineFilter _regex = null!;
    private LineFilter _containsIgnoreCase = null!;
    private LineFilter _regexIgnoreCase = null!;

    [GlobalSetup]
    public void Setup()
    {
        _lines = BenchData.MixedLines(LineCount);
        // The same lines laid out back to back in one buffer, as in a decompressed block.
        _block = [.. _lines.SelectMany(l => l.Append((byte)'\n'))];
        _ranges = new LineRange[_lines.Length];
        var offset = 0;
        for (var i = 0; i < _lines.Length; i++)
        {
            _ranges[i] = new LineRange(offset, _lines[i].Length);
            offset += _lines[i].Length + 1;
        }
        _keep = new bool[_lines.Length];
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

    /// <summary><c>|= "cache miss"</c> over the whole buffer at once (<see cref="LineFilter.Filter"/>).</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int BlockContainsLiteral() => CountBlock(_contains);

    /// <summary><c>|~ "(?i)Cache Miss"</c> over the whole buffer at once.</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int BlockRegexIgnoreCaseLiteral() => CountBlock(_regexIgnoreCase);

    /// <summary><c>|~ "user_id=u-12[0-9]+"</c> over the whole buffer at once (literal pre-filter per block, regex per candidate).</summary>
    [Benchmark(OperationsPerInvoke = LineCount)]
    public int BlockRegexWithLiteral() => CountBlock(_regex);

    private int CountBlock(LineFilter filter)
    {
        _keep.AsSpan().Fill(true);
        filter.Filter(_block, _ranges, _keep);
        return _keep.AsSpan().Count(true);
    }

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
