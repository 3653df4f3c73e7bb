using Orleans.Loki.Bench.Generation;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Bench.Throughput;

/// <summary>
/// <c>--throughput</c>: line filters and parsers over a 32 MiB seeded corpus on one thread, each next to a same-run
/// <c>grep -c</c> over the same bytes written to a temp file. Reports GB/s and lines/s per CPU second (least CPU time
/// of 5 runs after a warm-up of at least 3 runs and 0.3 s, on both sides) and checks that both count the same lines.
/// </summary>
internal static class ThroughputRunner
{
    private const int Runs = 5;
    private const long CorpusBytes = 32L * 1024 * 1024;
    private const int BlockBytes = 256 * 1024;

    /// <param name="resultsFile">RESULTS.md to update, or null.</param>
    /// <param name="only">Runs only the cases whose name contains this text (null: all).</param>
    public static int Run(string? resultsFile, string? only)
    {
        var corpus = Corpus.Generate(BenchData.Seed, CorpusBytes, 12, 1_780_000_000_000_000_000, TimeSpan.FromMinutes(40));
        var data = corpus.Data;
        var ranges = corpus.Entries.Select(e => new LineRange(e.Offset, e.Length)).ToArray();
        var blocks = Blocks(ranges);
        var file = Path.Combine(Path.GetTempPath(), "loki-bench-corpus-" + Guid.NewGuid().ToString("n")[..8] + ".log");
        File.WriteAllBytes(file, data.AsSpan(0, corpus.DataLength).ToArray());
        try
        {
            var cases = new List<ThroughputCase>();
            long allBytes = corpus.DataLength;
            long allLines = ranges.Length;
            foreach (var (query, flags, pattern) in new[]
            {
                ("|= \"zq7needlex42\"", "-F", Corpus.Needle),
                ("|= \"cache miss\"", "-F", "cache miss"),
                ("|~ \"(?i)error\"", "-F -i", "error"),
                ("|= \"user_id=u-12\"", "-F", "user_id=u-12"),
                ("|~ \"user_id=u-12[0-9]+ \"", "-E", "user_id=u-12[0-9]+ "),
            })
            {
                var filter = LineFilterOf(query);
                cases.Add(new($"`{query}` per line (`Matches`)", allBytes, allLines, () => PerLine(filter, data, ranges), flags, pattern));
                cases.Add(new($"`{query}` per 256 KiB block (`Filter`)", allBytes, allLines, () => PerBlock(filter, data, blocks), flags, pattern));
            }
            AddPipelineCases(cases, corpus);
            var results = new List<ThroughputResult>();
            foreach (var c in cases.Where(c => only is null || c.Name.Contains(only, StringComparison.Ordinal)))
            {
                results.Add(Measure(c, file, corpus.DataLength));
            }
            ThroughputMarkdown.Print(results);
            if (resultsFile is not null)
            {
                ThroughputMarkdown.Write(resultsFile, results, corpus);
                Console.WriteLine($"updated {resultsFile}");
            }
            return results.All(r => r.GrepCount is null || r.GrepCount == r.Count) ? 0 : 1;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void AddPipelineCases(List<ThroughputCase> cases, Corpus corpus)
    {
        foreach (var (format, stages, flags, pattern, hint) in new[]
        {
            (LineFormat.Logfmt, "| logfmt | status >= 500", "-E", " status=5[0-9][0-9] ", "status"),
            (LineFormat.Json, "| json | level=\"error\"", "-F", "\"level\":\"error\"", "level"),
        })
        {
            var streams = corpus.Streams.Select((s, i) => (s, i)).Where(x => x.s.Format == format).Select(x => x.i).ToHashSet();
            var entries = corpus.Entries.Where(e => streams.Contains(e.Stream)).ToArray();
            var bytes = entries.Sum(e => (long)e.Length);
            var query = $"{{format=\"{format.ToString().ToLowerInvariant()}\"}} {stages}";
            var selector = LogQLParser.ParseLogSelector(query);
            var full = PipelineBuilder.Build(selector);
            // What the engine plans for sum(count_over_time(<query>[1m])): only the filtered label is extracted.
            var hinted = PipelineBuilder.Build(selector, new ParserHints([hint]));
            cases.Add(new($"`{stages}` (all labels, as a log query)", bytes, entries.Length, () => Pipe(full, corpus, entries), flags, pattern));
            cases.Add(new($"`{stages}` (all labels + kept lines' label string)", bytes, entries.Length, () => Pipe(full, corpus, entries, resultLabels: true), flags, pattern));
            cases.Add(new($"`{stages}` (hint `{hint}`, as under `sum`)", bytes, entries.Length, () => Pipe(hinted, corpus, entries), flags, pattern));
            var range = (RangeAggregationExpr)((VectorAggregationExpr)LogQLParser.Parse($"sum(count_over_time({query} [1m]))")).Left;
            var extractor = SampleExtractorBuilder.Build(new SelectSampleParams(range, 0, long.MaxValue) { RequiredLabels = [hint] });
            cases.Add(new($"`sum(count_over_time({stages} [1m]))` sample extraction", bytes, entries.Length, () => Extract(extractor, corpus, entries), flags, pattern));
        }
    }

    private static ThroughputResult Measure(ThroughputCase c, string file, long fileBytes)
    {
        // Warm-up: one pass is not enough for tiered JIT to reach optimised code (with `--only` the first row of a
        // process measured up to 2x slow), so run until 3 passes and 0.3 s of CPU time.
        var count = 0L;
        var warmStart = CpuClock.ThreadSeconds();
        for (var w = 0; w < 3 || CpuClock.ThreadSeconds() - warmStart < 0.3; w++)
        {
            count = c.Run();
        }
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var cpu = CpuClock.ThreadSeconds();
            var n = c.Run();
            times.Add(CpuClock.ThreadSeconds() - cpu);
            count = n;
        }
        var grep = c.GrepFlags is null ? null : GrepBaseline.Run(file, c.GrepFlags, c.GrepPattern!, Runs);
        var result = new ThroughputResult(c, times.Min(), count, grep?.Seconds, grep?.Count, fileBytes);
        Console.WriteLine($"{c.Name,-70} {result.GBps,7:0.000} GB/s {result.MLinesPerSecond,7:0.00} M lines/s  count {count}  grep {result.GrepGBps:0.000} GB/s count {grep?.Count}");
        return result;
    }

    private static long PerLine(LineFilter filter, byte[] data, LineRange[] ranges)
    {
        long n = 0;
        var span = data.AsSpan();
        foreach (var r in ranges)
        {
            n += filter.Matches(span.Slice(r.Offset, r.Length)) ? 1 : 0;
        }
        return n;
    }

    private static long PerBlock(LineFilter filter, byte[] data, LineRange[][] blocks)
    {
        long n = 0;
        var keep = new bool[blocks.Max(b => b.Length)];
        foreach (var block in blocks)
        {
            var flags = keep.AsSpan(0, block.Length);
            flags.Fill(true);
            filter.Filter(data, block, flags);
            n += flags.Count(true);
        }
        return n;
    }

    // resultLabels: also make the label string a log query groups each kept line by (what its querier does next).
    private static long Pipe(Pipeline pipeline, Corpus corpus, CorpusEntry[] entries, bool resultLabels = false)
    {
        long n = 0;
        foreach (var e in entries)
        {
            var sp = pipeline.ForStream(corpus.Streams[e.Stream].Labels);
            var line = corpus.Data.AsSpan(e.Offset, e.Length);
            ReadOnlySpan<byte> ro = line;
            if (sp.Process(e.TimestampNs, ref ro, null) && !sp.Labels.HasError)
            {
                n++;
                if (resultLabels)
                {
                    _ = sp.Labels.LabelsString();
                }
            }
        }
        return n;
    }

    private static long Extract(LogQL.Engine.SampleExtractor extractor, Corpus corpus, CorpusEntry[] entries)
    {
        long n = 0;
        foreach (var e in entries)
        {
            n += extractor.TryExtract(corpus.Streams[e.Stream].Labels, e.TimestampNs, corpus.Data.AsSpan(e.Offset, e.Length), null, out _, out _, out _) ? 1 : 0;
        }
        return n;
    }

    private static LineFilter LineFilterOf(string stage) =>
        PipelineBuilder.Build(LogQLParser.ParseLogSelector("{job=\"x\"} " + stage)).LeadingLineFilter;

    private static LineRange[][] Blocks(LineRange[] ranges)
    {
        var blocks = new List<LineRange[]>();
        var start = 0;
        long bytes = 0;
        for (var i = 0; i < ranges.Length; i++)
        {
            bytes += ranges[i].Length;
            if (bytes >= BlockBytes || i == ranges.Length - 1)
            {
                blocks.Add(ranges[start..(i + 1)]);
                start = i + 1;
                bytes = 0;
            }
        }
        return [.. blocks];
    }
}
