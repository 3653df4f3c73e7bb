using System.Diagnostics;
using System.Runtime.InteropServices;
using Orleans.Loki.Bench.Generation;
using K4os.Compression.LZ4;
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

    public static void Run(IReadOnlyList<PushBody> bodies, long rawBytes, LZ4Level level)
    {
        var options = new ChunkOptions { Level = level };
        // Warm-up pass so the JIT has optimized every stage before the measured pass.
        Measure(bodies.Take(Math.Min(bodies.Count, 50)).ToList(), options);
        var (ticks, allocated, chunkBytes) = Measure(bodies, options);
        Console.WriteLine($"write path, in-process, 1 thread, {rawBytes / 1e6:0.0} MB raw, LZ4 {level}: chunks {chunkBytes / 1e6:0.0} MB = {(double)rawBytes / chunkBytes:0.00}x");
        long totalTicks = 0;
        for (var i = 0; i < Stages.Length; i++)
        {
            totalTicks += ticks[i];
            var seconds = ticks[i] / (double)Stopwatch.Frequency;
            Console.WriteLine($"  {Stages[i],-22} {seconds * 1000,8:0} ms  {rawBytes / 1e6 / seconds,8:0} MB/s  {allocated[i] / 1e6,8:0.0} MB allocated");
        }
        var total = totalTicks / (double)Stopwatch.Frequency;
        Console.WriteLine($"  {"total",-22} {total * 1000,8:0} ms  {rawBytes / 1e6 / total,8:0} MB/s  {allocated.Sum() / 1e6,8:0.0} MB allocated");
    }

    private static (long[] Ticks, long[] Allocated, long ChunkBytes) Measure(IReadOnlyList<PushBody> bodies, ChunkOptions options)
    {
        long chunkBytes = 0;
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
        }
        // What a final flush writes: every chunk still open.
        chunkBytes += Time(ticks, allocated, ticks.Length - 1, () => chunks.Values.Sum(c => (long)c.Chunk.Encode(c.Labels).Length));
        return (ticks, allocated, chunkBytes);
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
