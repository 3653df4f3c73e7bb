using BenchmarkDotNet.Attributes;
using Orleans.Loki.Chunks;

namespace Orleans.Loki.Bench;

/// <summary>Head-block appends, block cut + LZ4 compression, and chunk decoding.</summary>
/// <remarks>BenchmarkDotNet requires public, unsealed benchmark classes.</remarks>
[MemoryDiagnoser]
public class ChunkBenchmarks
{
    /// <summary>Entries per <see cref="AppendEntry"/> invocation: stays below one 256 KiB block, so no cut happens.</summary>
    public const int AppendBatch = 1000;

    private LogEntry[] _blockEntries = null!;
    private LogEntry[] _appendEntries = null!;
    private byte[] _fullChunk = null!;
    private long _chunkFrom;
    private long _chunkThrough;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = BenchData.Corpus;
        var stream = corpus.Entries.Select(e => new LogEntry(e.TimestampNs, corpus.Line(e), null)).ToArray();
        _appendEntries = stream[..AppendBatch];

        // Just under one block: Encode then performs exactly one cut.
        var blockEntries = new List<LogEntry>();
        long bytes = 0;
        foreach (var entry in stream)
        {
            if (bytes + entry.Line.Length >= new ChunkOptions().BlockSize)
            {
                break;
            }

            blockEntries.Add(entry);
            bytes += entry.Line.Length;
        }

        _blockEntries = [.. blockEntries];

        // The corpus needle is kept out of the full chunk, so that IterateFullChunkNeedlePruned looks for an absent
        // literal however many lines a chunk holds (the corpus has one needle line, past the first 4 MiB).
        var needle = System.Text.Encoding.ASCII.GetBytes(Generation.Corpus.Needle);
        var chunk = new MemChunk(new ChunkOptions());
        foreach (var entry in stream.Where(e => e.Line.Span.IndexOf(needle) < 0))
        {
            chunk.Append(entry);
            if (chunk.IsFull)
            {
                break;
            }
        }

        _chunkFrom = chunk.MinTimeNs;
        _chunkThrough = chunk.MaxTimeNs + 1;
        _fullChunk = chunk.Encode("{app=\"bench\"}");
    }

    /// <summary>Time and allocation per appended entry (a fresh chunk per invocation).</summary>
    [Benchmark(OperationsPerInvoke = AppendBatch)]
    public int AppendEntry()
    {
        var chunk = new MemChunk(new ChunkOptions());
        foreach (var entry in _appendEntries)
        {
            chunk.Append(entry);
        }

        return chunk.HeadEntryCount;
    }

    /// <summary>Appends just under 256 KiB of lines and encodes the chunk: one cut (sort, serialize, LZ4, trigram filter) plus the chunk write.</summary>
    [Benchmark]
    public int EncodeBlock256KiB()
    {
        var chunk = new MemChunk(new ChunkOptions());
        foreach (var entry in _blockEntries)
        {
            chunk.Append(entry);
        }

        return chunk.Encode("{app=\"bench\"}").Length;
    }

    /// <summary>Opens a full chunk (~1.5 MiB compressed) and iterates every entry forward.</summary>
    [Benchmark]
    public int IterateFullChunk()
    {
        var count = 0;
        foreach (var entry in ChunkReader.Open(_fullChunk).Iterate(_chunkFrom, _chunkThrough, backward: false))
        {
            count += entry.Line.Length > 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>As <see cref="IterateFullChunk"/> with the trigram block filter for an absent literal (most blocks pruned).</summary>
    [Benchmark]
    public int IterateFullChunkNeedlePruned()
    {
        var count = 0;
        var reader = ChunkReader.Open(_fullChunk);
        foreach (var entry in reader.Iterate(_chunkFrom, _chunkThrough, backward: false, b => b.MayContain("zq7needlex42"u8)))
        {
            count += entry.Line.Length > 0 ? 1 : 0;
        }

        return count;
    }
}
