using System.Diagnostics;
using System.Runtime.InteropServices;
using Orleans.Loki.Bench.Generation;
using Orleans.Loki.Chunks;
using Orleans.Loki.Push;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// The server's write path, stage by stage, in-process on one thread over the same bodies: decode, validate, encode
/// one entry batch per stream (distributor), decode it again (stream grain), append to the stream's chunk (cutting
/// and compressing blocks, encoding full chunks as a flush does). No HTTP, Orleans or storage: what is left of the
/// server's CPU per byte beyond these stages is the cost of those layers.
/// </summary>
internal static class WritePathProfile
{
    private static readonly string[] Stages = ["decode", "validate", "encode batch", "decode batch", "chunk append + cut", "chunk encode (flush)"];

    public static void Run(Corpus corpus, IReadOnlyList<PushBody> bodies, ChunkOptions options, int chunkRuns)
    {
        var rawBytes = corpus.RawBytes;
        var level = options.Level;
        // Warm-up pass so the JIT has optimized every stage before the measured pass.
        Measure(bodies.Take(Math.Min(bodies.Count, 50)).ToList(), options, null, []);
        var decodedBatches = chunkRuns > 0 ? new List<(ValidStream, IReadOnlyList<LogEntry>)>() : null;
        var blocks = new List<BlockMeta>();
        var (ticks, allocated, chunkBytes, filterBytes) = Measure(bodies, options, decodedBatches, blocks);
        Console.WriteLine($"write path, in-process, 1 thread, {rawBytes / 1e6:0.0} MB raw, LZ4 {level}: chunks {chunkBytes / 1e6:0.0} MB = {(double)rawBytes / chunkBytes:0.00}x, token filters {filterBytes / 1e6:0.0} MB = {100.0 * filterBytes / chunkBytes:0.0}% of chunk bytes");
        var lz4 = Lz4Baseline(corpus);
        if (lz4 is { } lz4Bytes)
        {
            // Same definition as the load test's baseline: the lines with newlines over the lz4 output. Chunks are
            // measured without newlines, which only makes their ratio look worse.
            var lz4Ratio = (double)corpus.DataLength / lz4Bytes;
            Console.WriteLine($"  same-run lz4 -1 -B5 on the raw lines: {lz4Bytes / 1e6:0.0} MB = {lz4Ratio:0.00}x; chunks / lz4 ratio = {(double)rawBytes / chunkBytes / lz4Ratio:0.000}");
        }
        if (options.TokenFilter)
        {
            PrintFilterPruning(corpus, blocks);
        }
        long totalTicks = 0;
        for (var i = 0; i < Stages.Length; i++)
        {
            totalTicks += ticks[i];
            var seconds = ticks[i] / (double)Stopwatch.Frequency;
            Console.WriteLine($"  {Stages[i],-22} {seconds * 1000,8:0} ms  {rawBytes / 1e6 / seconds,8:0} MB/s  {allocated[i] / 1e6,8:0.0} MB allocated");
        }
        var total = totalTicks / (double)Stopwatch.Frequency;
        Console.WriteLine($"  {"total",-22} {total * 1000,8:0} ms  {rawBytes / 1e6 / total,8:0} MB/s  {allocated.Sum() / 1e6,8:0.0} MB allocated");
        if (decodedBatches is not null)
        {
            RerunChunkStages(decodedBatches, options, chunkRuns, rawBytes);
        }
    }

    /// <summary>
    /// Runs only the chunk stages (append + cut, then encode every chunk) <paramref name="runs"/> more times over the
    /// already decoded batches and prints the medians: on a shared machine one pass is too noisy to compare formats.
    /// Process CPU time includes the GC's threads.
    /// </summary>
    private static void RerunChunkStages(List<(ValidStream Stream, IReadOnlyList<LogEntry> Entries)> batches, ChunkOptions options, int runs, long rawBytes)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        long bytes = 0;
        for (var run = 0; run < runs; run++)
        {
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            var chunks = new Dictionary<ulong, (string Labels, MemChunk Chunk)>();
            bytes = 0;
            foreach (var (stream, entries) in batches)
            {
                if (!chunks.TryGetValue(stream.Fingerprint, out var current))
                {
                    chunks[stream.Fingerprint] = current = (stream.Labels, new MemChunk(options));
                }
                foreach (var entry in entries)
                {
                    current.Chunk.Append(entry);
                }
                if (current.Chunk.IsFull)
                {
                    bytes += current.Chunk.Encode(stream.Labels).Length;
                    chunks[stream.Fingerprint] = (stream.Labels, new MemChunk(options));
                }
            }
            bytes += chunks.Values.Sum(c => (long)c.Chunk.Encode(c.Labels).Length);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        wall.Sort();
        cpu.Sort();
        Console.WriteLine($"  chunk stages rerun {runs}x: median {wall[runs / 2] * 1000:0} ms wall (min {wall[0] * 1000:0}), {cpu[runs / 2] * 1000:0} ms CPU (min {cpu[0] * 1000:0}), {rawBytes / 1e6 / wall[runs / 2]:0} MB/s, chunks {bytes / 1e6:0.0} MB");
    }

    /// <summary>
    /// How well the token filters prune: the share of blocks that pass the corpus needle (in &lt; 1% of the blocks), and
    /// of absent random literals (8 lower-case letters, and "level=" plus 6 of them, half of whose trigrams are in every block).
    /// </summary>
    private static void PrintFilterPruning(Corpus corpus, List<BlockMeta> blocks)
    {
        var needle = System.Text.Encoding.ASCII.GetBytes(Corpus.Needle);
        var needlePass = blocks.Count(b => b.MayContain(needle));
        var random = new Random(7);
        double Rate(Func<string> literal)
        {
            long passed = 0;
            const int Literals = 200;
            for (var i = 0; i < Literals; i++)
            {
                var bytes = System.Text.Encoding.ASCII.GetBytes(literal());
                passed += blocks.Count(b => b.MayContain(bytes));
            }
            return 100.0 * passed / (Literals * (double)blocks.Count);
        }
        string Letters(int n) => new(Enumerable.Range(0, n).Select(_ => (char)('a' + random.Next(26))).ToArray());
        var letters = Rate(() => Letters(8));
        var prefixed = Rate(() => "level=" + Letters(6));
        // Distinct trigrams per block from each filter's fill (one bit per trigram): n = -m ln(1 - set/m).
        var distinct = blocks.Where(b => !b.TokenFilter.IsEmpty).Select(b =>
        {
            var bits = b.TokenFilter.Length * 8.0;
            var set = b.TokenFilter.ToArray().Sum(x => System.Numerics.BitOperations.PopCount(x));
            return (Distinct: -bits * Math.Log(1 - (set / bits)), Bits: bits);
        }).OrderBy(x => x.Distinct).ToList();
        if (distinct.Count > 0)
        {
            var median = distinct[distinct.Count / 2];
            Console.WriteLine($"  token filters: median block has ~{median.Distinct:0} distinct trigrams in {median.Bits:0} bits ({median.Bits / median.Distinct:0.0} bits per trigram); p10 {distinct[distinct.Count / 10].Distinct:0}, p90 {distinct[distinct.Count * 9 / 10].Distinct:0}");
        }
        Console.WriteLine($"  token filters: needle passes {needlePass} of {blocks.Count} blocks ({corpus.NeedleCount} needle lines); absent random literals pass: 8 letters {letters:0.00}%, \"level=\" + 6 letters {prefixed:0.00}% of blocks");
    }

    /// <summary>Bytes of <c>lz4 -1 -B5</c> (256 KiB independent blocks) over the corpus lines, newline separated; null when lz4 failed.</summary>
    private static long? Lz4Baseline(Corpus corpus)
    {
        var file = Path.Combine(Path.GetTempPath(), "loki-writepath-corpus-" + Guid.NewGuid().ToString("n")[..8] + ".log");
        try
        {
            File.WriteAllBytes(file, corpus.Data.AsSpan(0, corpus.DataLength));
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-o");
            info.ArgumentList.Add("pipefail");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"lz4 -q -1 -B5 -c '{file}' | wc -c");
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !long.TryParse(output.Trim(), out var bytes))
            {
                Console.WriteLine($"  lz4 baseline failed (exit {process.ExitCode}): {error.Trim()}");
                return null;
            }
            return bytes;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"  lz4 baseline failed: {e.Message}");
            return null;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (long[] Ticks, long[] Allocated, long ChunkBytes, long FilterBytes) Measure(IReadOnlyList<PushBody> bodies, ChunkOptions options, List<(ValidStream, IReadOnlyList<LogEntry>)>? keep, List<BlockMeta> blocks)
    {
        long chunkBytes = 0;
        long filterBytes = 0;
        var ticks = new long[Stages.Length];
        var allocated = new long[Stages.Length];
        var validator = new PushValidator(TimeProvider.System);
        var limits = new ValidationLimits { RejectOldSamples = false };
        var chunks = new Dictionary<ulong, (string Labels, MemChunk Chunk)>();
        foreach (var body in bodies)
        {
            var stage = 0;
            var decoded = Time(ticks, allocated, stage++, () => PushDecoder.Decode(body.Content, body.ContentType, null, PushFormat.Json, 0));
            var validated = Time(ticks, allocated, stage++, () => validator.Validate("fake", decoded.Streams, limits));
            var batches = Time(ticks, allocated, stage++, () => validated.Streams.Select(s => (s, Encode(s.Entries))).ToList());
            var entries = Time(ticks, allocated, stage++, () => batches.Select(b => (b.s, EntryBatch.Decode(b.Item2))).ToList());
            keep?.AddRange(entries.Select(e => (e.s, (IReadOnlyList<LogEntry>)e.Item2)));
            var full = Time(ticks, allocated, stage++, () =>
            {
                var result = new List<(ValidStream, MemChunk)>();
                foreach (var (stream, list) in entries)
                {
                    if (!chunks.TryGetValue(stream.Fingerprint, out var current))
                    {
                        chunks[stream.Fingerprint] = current = (stream.Labels, new MemChunk(options));
                    }
                    var chunk = current.Chunk;
                    foreach (var entry in list)
                    {
                        chunk.Append(entry);
                    }
                    if (chunk.IsFull)
                    {
                        result.Add((stream, chunk));
                        chunks[stream.Fingerprint] = (stream.Labels, new MemChunk(options));
                    }
                }
                return result;
            });
            chunkBytes += Time(ticks, allocated, stage, () => full.Sum(f => (long)f.Item2.Encode(f.Item1.Labels).Length));
            filterBytes += full.Sum(f => FilterBytes(f.Item2, blocks));
        }
        // What a final flush writes: every chunk still open.
        chunkBytes += Time(ticks, allocated, ticks.Length - 1, () => chunks.Values.Sum(c => (long)c.Chunk.Encode(c.Labels).Length));
        filterBytes += chunks.Values.Sum(c => FilterBytes(c.Chunk, blocks));
        return (ticks, allocated, chunkBytes, filterBytes);
    }

    private static long FilterBytes(MemChunk chunk, List<BlockMeta> blocks)
    {
        long bytes = 0;
        foreach (var block in chunk.Blocks)
        {
            bytes += block.TokenFilter.Length;
            blocks.Add(block);
        }
        return bytes;
    }

    private static byte[] Encode(List<PushEntry> entries)
    {
        var converted = new LogEntry[entries.Count];
        var span = CollectionsMarshal.AsSpan(entries);
        for (var i = 0; i < span.Length; i++)
        {
            converted[i] = new LogEntry(span[i].TimestampNs, span[i].Line, span[i].Metadata);
        }
        return EntryBatch.Encode(converted);
    }

    private static T Time<T>(long[] ticks, long[] allocated, int stage, Func<T> action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        var result = action();
        ticks[stage] += Stopwatch.GetTimestamp() - start;
        allocated[stage] += GC.GetAllocatedBytesForCurrentThread() - before;
        return result;
    }
}
