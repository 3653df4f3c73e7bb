using BenchmarkDotNet.Attributes;
using Orleans.Loki.Bench.Generation;
using Orleans.Loki.Push;

namespace Orleans.Loki.Bench;

/// <summary>Decoding one ~1 MiB push body (raw line bytes) in each wire format.</summary>
/// <remarks>BenchmarkDotNet requires public, unsealed benchmark classes.</remarks>
[MemoryDiagnoser]
public class PushDecodeBenchmarks
{
    private PushBody _json = null!;
    private PushBody _protobuf = null!;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = BenchData.Corpus;
        var entries = new List<CorpusEntry>();
        long bytes = 0;
        foreach (var entry in corpus.Entries)
        {
            if (bytes >= 1024 * 1024)
            {
                break;
            }

            entries.Add(entry);
            bytes += entry.Length;
        }

        _json = PushBodyBuilder.Json(corpus, entries);
        _protobuf = PushBodyBuilder.Protobuf(corpus, entries);
    }

    [Benchmark]
    public int DecodeJson1MiB() => Decode(_json);

    [Benchmark]
    public int DecodeProtobufSnappy1MiB() => Decode(_protobuf);

    private static int Decode(PushBody body)
    {
        // Disposed as the push handler does, so protobuf's decompression buffer goes back to the pool.
        using var result = PushDecoder.Decode(body.Content, body.ContentType, null, PushFormat.Json, 0);
        return result.Success ? result.Streams.Count : throw new InvalidOperationException(result.Error);
    }
}
