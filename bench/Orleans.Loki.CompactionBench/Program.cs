using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans.Loki.Bench.Generation;
using Orleans.Loki.Chunks;

// Cold compaction benchmark: the compactor's merge + zstd recompression over chunks flushed the way idle streams flush
// them (small LZ4 chunks), against the same run's `lz4 -1` and `zstd -3` on the same lines, and the scan speed of a
// needle filter over LZ4 and over zstd chunks, and the load test's needle and regex queries as the querier runs them
// over both. Single-threaded, so MB/s is per core.
var rawTarget = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) * 1024 * 1024 : 100L * 1024 * 1024;
var corpus = Corpus.Generate(20261126, rawTarget, 20, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, TimeSpan.FromHours(2));
var raw = corpus.RawBytes;
Console.Error.WriteLine($"corpus: {raw / 1e6:F1} MB raw, {corpus.Entries.Length} lines, {corpus.Streams.Length} streams");

// Hot chunks as idle flushes leave them: one chunk per 2,000 lines of a stream.
var hot = new List<(string Labels, byte[] Chunk)>();
foreach (var group in corpus.Entries.GroupBy(e => e.Stream))
{
    var labels = corpus.Streams[group.Key].LabelString;
    var chunk = new MemChunk(new ChunkOptions());
    foreach (var e in group)
    {
        chunk.Append(new LogEntry(e.TimestampNs, corpus.Line(e), null));
        if (chunk.EntryCount == 2000)
        {
            hot.Add((labels, chunk.Encode(labels)));
            chunk = new MemChunk(new ChunkOptions());
        }
    }
    if (chunk.EntryCount > 0)
    {
        hot.Add((labels, chunk.Encode(labels)));
    }
}
var hotBytes = hot.Sum(h => (long)h.Chunk.Length);

List<byte[]> Compact(int level)
{
    var result = new List<byte[]>();
    foreach (var stream in hot.GroupBy(h => h.Labels))
    {
        var entries = stream.SelectMany(h => ChunkReader.Open(h.Chunk).Iterate(long.MinValue, long.MaxValue, false)).OrderBy(e => e.TimestampNs).ToList();
        var options = new ChunkOptions { TargetCompressedSize = 2 * 1_572_864 };
        var merged = new MemChunk(options);
        foreach (var e in entries)
        {
            merged.Append(e);
            if (merged.IsFull)
            {
                result.Add(BlockCodec.Recompress(merged.Encode(stream.Key), level));
                merged = new MemChunk(options);
            }
        }
        if (merged.EntryCount > 0)
        {
            result.Add(BlockCodec.Recompress(merged.Encode(stream.Key), level));
        }
    }
    return result;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

var rows = new List<string>();
var cold = new Dictionary<int, List<byte[]>>();
foreach (var level in new[] { 3, 6, 9 })
{
    var seconds = new List<double>();
    for (var run = 0; run < 3; run++)
    {
        var sw = Stopwatch.StartNew();
        cold[level] = Compact(level);
        seconds.Add(sw.Elapsed.TotalSeconds);
    }
    var bytes = cold[level].Sum(c => (long)c.Length);
    rows.Add($"| zstd level {level} | {raw / 1e6 / Median(seconds):F1} | {(double)raw / bytes:F2}x | {cold[level].Count} |");
}

// Same-run CLI baselines on the same lines (one line per row, each stream's lines together).
var file = Path.GetTempFileName();
await using (var output = File.Create(file))
{
    foreach (var group in corpus.Entries.GroupBy(e => e.Stream))
    {
        foreach (var e in group)
        {
            output.Write(corpus.Line(e).Span);
            output.WriteByte((byte)'\n');
        }
    }
}
long Cli(string tool, string flag)
{
    var psi = new ProcessStartInfo("sh", ["-c", $"{tool} {flag} -c '{file}' | wc -c"]) { RedirectStandardOutput = true };
    using var p = Process.Start(psi)!;
    var text = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
}
var lz4 = Cli("lz4", "-1");
var zstd3 = Cli("zstd", "-3");
File.Delete(file);

double Scan(List<byte[]> chunks)
{
    var needle = Encoding.UTF8.GetBytes(Corpus.Needle);
    var times = new List<double>();
    for (var run = 0; run < 3; run++)
    {
        var sw = Stopwatch.StartNew();
        var found = 0;
        foreach (var c in chunks)
        {
            foreach (var e in ChunkReader.Open(c).Iterate(long.MinValue, long.MaxValue, false))
            {
                if (e.Line.Span.IndexOf(needle) >= 0)
                {
                    found++;
                }
            }
        }
        times.Add(sw.Elapsed.TotalSeconds);
        if (found != corpus.NeedleCount)
        {
            throw new InvalidOperationException($"needle found {found} times, expected {corpus.NeedleCount}");
        }
    }
    return raw / 1e9 / Median(times);
}
var scanHot = Scan([.. hot.Select(h => h.Chunk)]);
var scanCold = Scan(cold[6]);

// The load test's needle and regex queries as the querier runs them: blocks whose token filter rules out a required
// literal are skipped undecoded, the others are decoded and every line goes through the query's pipeline.
var querySets = new (string Name, List<byte[]> Chunks)[] { ("LZ4 chunks (as flushed)", [.. hot.Select(h => h.Chunk)]), ("zstd-9 chunks (compactor default)", cold[9]), ("zstd-6 chunks", cold[6]) };
var queryRows = new List<string>();
foreach (var (query, expected) in new[]
{
    ($"{{job=\"bench\"}} |= \"{Corpus.Needle}\"", (long)corpus.NeedleCount),
    ("{job=\"bench\"} |~ \"user_id=u-12[0-9]+ \"", corpus.Entries.LongCount(e => UserRegex().IsMatch(Encoding.UTF8.GetString(corpus.Line(e).Span)))),
})
{
    var selector = (Orleans.Loki.LogQL.Syntax.LogSelectorExpr)Orleans.Loki.LogQL.Syntax.LogQLParser.Parse(query);
    var literals = selector.RequiredLiterals.Select(l => Encoding.UTF8.GetBytes(l)).ToArray();
    Func<BlockMeta, bool>? blockFilter = literals.Length == 0 ? null : block => literals.All(l => block.MayContain(l));
    var times = querySets.Select(_ => new List<double>()).ToArray();
    var decoded = new long[querySets.Length];
    // Runs interleave the chunk sets, so that a change in the machine's load hits every set alike.
    for (var run = 0; run < 5; run++)
    {
        for (var set = 0; set < querySets.Length; set++)
        {
            var (name, chunks) = querySets[set];
            var pipeline = Orleans.Loki.LogQL.Engine.PipelineBuilder.Build(selector);
            var sw = Stopwatch.StartNew();
            long found = 0;
            long blocks = 0;
            foreach (var c in chunks)
            {
                var reader = ChunkReader.Open(c);
                Orleans.Loki.Model.LabelSet.TryParse(reader.Labels, out var pairs, out _);
                var stream = pipeline.ForStream(pairs);
                foreach (var e in reader.Iterate(long.MinValue, long.MaxValue, false, blockFilter))
                {
                    var line = e.Line.Span;
                    if (stream.Process(e.TimestampNs, ref line, e.Metadata))
                    {
                        found++;
                    }
                }
                blocks += reader.BlocksDecompressed;
            }
            times[set].Add(sw.Elapsed.TotalSeconds);
            decoded[set] = blocks;
            if (found != expected)
            {
                throw new InvalidOperationException($"{query} over {name}: {found} lines, expected {expected}");
            }
        }
    }
    var lz4Seconds = Median(times[0]);
    for (var set = 0; set < querySets.Length; set++)
    {
        var (name, chunks) = querySets[set];
        var median = Median(times[set]);
        var totalBlocks = chunks.Sum(c => ChunkReader.Open(c).Blocks.Count);
        queryRows.Add($"| `{query[(query.IndexOf('}') + 2)..]}` | {name} | {median * 1000:F0} | {raw / 1e9 / median:F2} | {decoded[set]}/{totalBlocks} | {lz4Seconds / median:F2}x |");
    }
}

Console.WriteLine($"""
    ## Cold compaction (compactor merge + zstd recompression)

    - date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores, shared with other builds (the machine was loaded: figures are noisy)
    - corpus: seed 20261126, {raw / 1e6:F1} MB raw in {corpus.Entries.Length:N0} lines over {corpus.Streams.Length} streams (logfmt / JSON / nginx)
    - input: {hot.Count} LZ4 chunks of 2,000 lines each (idle flushes), {hotBytes / 1e6:F1} MB, {(double)raw / hotBytes:F2}x
    - single thread, so MB/s is per core; median of 3 runs (`dotnet run -c Release --project bench/Orleans.Loki.CompactionBench`)

    | codec | merge + recompress MB/s per core (raw bytes) | raw / stored | chunks out |
    |---|---|---|---|
    {string.Join("\n", rows)}

    | same-run baseline on the same lines | raw / compressed |
    |---|---|
    | `lz4 -1` | {(double)raw / lz4:F2}x |
    | `zstd -3` | {(double)raw / zstd3:F2}x |
    | input LZ4 chunks | {(double)raw / hotBytes:F2}x |

    zstd-6 cold chunks vs `lz4 -1`: {(double)lz4 / cold[6].Sum(c => (long)c.Length):F2}x smaller; vs `zstd -3`: {(double)cold[6].Sum(c => (long)c.Length) / zstd3:F2}x the size.

    | scan `|= "{Corpus.Needle}"` (decode every block, one thread) | GB/s of raw lines |
    |---|---|
    | LZ4 chunks (as flushed) | {scanHot:F2} |
    | zstd-6 chunks (after compaction) | {scanCold:F2} ({scanCold / scanHot:F2}x) |

    | query (one thread: block token filters, then the pipeline per line; median of 5 interleaved runs) | chunks | ms | GB/s of raw lines | blocks decoded | speed vs LZ4 |
    |---|---|---|---|---|---|
    {string.Join("\n", queryRows)}
    """);

internal static partial class Program
{
    [System.Text.RegularExpressions.GeneratedRegex("user_id=u-12[0-9]+ ")]
    private static partial System.Text.RegularExpressions.Regex UserRegex();
}
