using System.Text;

namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary><see cref="LineFilter.Filter"/> (a block of lines at once) agrees with <see cref="LineFilter.Matches"/> line by line.</summary>
public sealed class BlockFilterTests
{
    // Lines laid out as in a decompressed block: a separator between them, so a literal can run across a boundary.
    private static (byte[] Buffer, LineRange[] Lines) Block(string separator, params string[] lines)
    {
        var buffer = new List<byte>();
        var ranges = new LineRange[lines.Length];
        for (var i = 0; i < lines.Length; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(lines[i]);
            ranges[i] = new LineRange(buffer.Count, bytes.Length);
            buffer.AddRange(bytes);
            buffer.AddRange(Encoding.UTF8.GetBytes(separator));
        }
        return ([.. buffer], ranges);
    }

    private static bool[] FilterAll(LineFilter filter, byte[] buffer, LineRange[] lines, bool[]? initial = null)
    {
        var keep = initial ?? Enumerable.Repeat(true, lines.Length).ToArray();
        filter.Filter(buffer, lines, keep);
        return keep;
    }

    [Fact]
    public void Contains_MarksExactlyTheLinesHoldingTheLiteral()
    {
        var (buffer, lines) = Block("\n", "a cache miss", "cache hit", "", "xx cache miss yy cache miss", "cache mis");
        Assert.Equal([true, false, false, true, false], FilterAll(LineFilter.Contains("cache miss"), buffer, lines));
    }

    [Fact]
    public void Contains_IgnoresAMatchRunningAcrossALineBoundary()
    {
        // "err" + separator "or" would read "error" across the boundary: not a match of either line.
        var (buffer, lines) = Block("or", "an err", "no match here", "error");
        Assert.Equal([false, false, true], FilterAll(LineFilter.Contains("error"), buffer, lines));
        Assert.Equal([false, false, true], FilterAll(LineFilter.Contains("ERROR", ignoreCase: true), buffer, lines));
    }

    [Fact]
    public void Filter_LeavesLinesThatWereNotCandidatesDropped()
    {
        var (buffer, lines) = Block("\n", "error a", "error b", "ok");
        Assert.Equal([false, true, false], FilterAll(LineFilter.Contains("error"), buffer, lines, [false, true, true]));
    }

    [Fact]
    public void NotAndOrChains_AgreeWithPerLineMatching()
    {
        var (buffer, lines) = Block("\n", "error timeout", "error", "warn timeout", "info", "ERROR Timeout");
        var filters = new[]
        {
            LineFilter.NotContains("error"),
            LineFilter.And(LineFilter.Contains("error"), LineFilter.Contains("timeout")),
            LineFilter.Or(LineFilter.Contains("warn"), LineFilter.Contains("info")),
            LineFilter.Not(LineFilter.Or(LineFilter.Contains("warn"), LineFilter.Contains("error", ignoreCase: true))),
            Run.Regex("(?i)error.*timeout"),
            Run.Regex("warn|info"),
            Run.Regex("e[r]+or"),
        };
        foreach (var f in filters)
        {
            var expected = lines.Select(l => f.Matches(buffer.AsSpan(l.Offset, l.Length))).ToArray();
            Assert.Equal(expected, FilterAll(f, buffer, lines));
        }
    }

    [Fact]
    public void RandomBlocks_AgreeWithPerLineMatching()
    {
        var random = new Random(7);
        const string alphabet = "eERrOo xz\n";
        var filters = new[] { LineFilter.Contains("error"), LineFilter.Contains("eRRor", ignoreCase: true), LineFilter.Contains("e"), Run.Regex("(?i)err+or") };
        for (var round = 0; round < 200; round++)
        {
            var lines = Enumerable.Range(0, random.Next(0, 20))
                .Select(_ => new string([.. Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
                .ToArray();
            var (buffer, ranges) = Block(random.Next(2) == 0 ? "" : "or", lines);
            foreach (var f in filters)
            {
                var expected = ranges.Select(l => f.Matches(buffer.AsSpan(l.Offset, l.Length))).ToArray();
                Assert.Equal(expected, FilterAll(f, buffer, ranges));
            }
        }
    }

    [Fact]
    public void Filter_RejectsTooFewFlagsAndRangesOutsideTheBuffer()
    {
        var filter = LineFilter.Contains("x");
        Assert.Throws<ArgumentException>(() => filter.Filter("ab"u8, [new LineRange(0, 1), new LineRange(1, 1)], new bool[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => filter.Filter("ab"u8, [new LineRange(1, 2)], new bool[1]));
    }

    [Fact]
    public void Pipeline_LeadingLineFilterCoversTheFiltersBeforeTheFirstOtherStage()
    {
        var pipeline = new Pipeline([new LineFilterStage(LineFilter.Contains("a")), new LineFilterStage(LineFilter.Contains("b")), new LogfmtParser(), new LineFilterStage(LineFilter.Contains("c"))]);
        Assert.Equal(2, pipeline.LeadingLineFilterCount);
        Assert.True(pipeline.LeadingLineFilter.Matches("ab"u8));
        Assert.False(pipeline.LeadingLineFilter.Matches("ac"u8));

        // A caller that ran the leading filters over the block skips them per line; later stages still run.
        var sp = pipeline.ForStream(Run.Labels(("app", "x")));
        ReadOnlySpan<byte> line = "x=1 c"u8;
        Assert.True(sp.Process(0, ref line, null, leadingFiltersPassed: true));
        Assert.Equal("{app=\"x\", x=\"1\"}", sp.Labels.LabelsString());
        line = "x=1 c"u8;
        Assert.False(sp.Process(0, ref line, null, leadingFiltersPassed: false));
    }
}
