using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace Orleans.Loki.Push.Tests;

/// <summary>
/// Decompression bombs cost a bounded amount of memory and leave nothing large in the shared pool; bodies up to the
/// cap (on either side of the probe buffer) inflate byte for byte.
/// </summary>
public sealed class DecompressionBoundsTests
{
    private const long Cap = 32L << 20;

    public static TheoryData<string> Codecs() => ["gzip", "deflate", "zlib", "snappy-framed"];

    private static byte[] Compress(string codec, ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (Stream compressor = codec switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "zlib" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new Snappier.SnappyStream(output, CompressionMode.Compress, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] CompressZeros(string codec, long count)
    {
        using var output = new MemoryStream();
        using (Stream compressor = codec switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "zlib" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new Snappier.SnappyStream(output, CompressionMode.Compress, leaveOpen: true),
        })
        {
            var block = new byte[1 << 20];
            for (long written = 0; written < count; written += block.Length)
            {
                compressor.Write(block);
            }
        }
        return output.ToArray();
    }

    private static Decompressor.Codec CodecOf(string codec) => codec switch
    {
        "gzip" => Decompressor.Codec.Gzip,
        "snappy-framed" => Decompressor.Codec.SnappyFramed,
        _ => Decompressor.Codec.Deflate,
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_bomb_is_refused_holding_at_most_the_probe_and_leaves_no_large_array_in_the_shared_pool(string codec)
    {
        var bomb = CompressZeros(codec, 4 * Cap);
        // Warm up code paths (JIT, the codec's own state) so that only the inflation is measured.
        Decompressor.Inflate(Compress(codec, new byte[1000]), CodecOf(codec), Cap, out var warm, out _, out _);
        PushBuffers.Return(warm);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = Decompressor.Inflate(bomb, CodecOf(codec), Cap, out _, out _, out var error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Decompressor.Outcome.TooLarge, outcome);
        Assert.StartsWith("request body too large: decompressed message size too large than max (", error, StringComparison.Ordinal);
        Assert.EndsWith($" vs {Cap})", error, StringComparison.Ordinal);
        // Before: the output grew by doubling up to the cap (64 MiB arrays for a 32 MiB cap).
        Assert.True(allocated < 2L * PushBuffers.PooledMax + (1 << 20), $"a refused bomb allocated {allocated:N0} bytes");

        // Nothing of the cap's size went back to the shared pool: renting one must allocate it afresh.
        var rentBefore = GC.GetAllocatedBytesForCurrentThread();
        var probe = ArrayPool<byte>.Shared.Rent(16 << 20);
        var rentAllocated = GC.GetAllocatedBytesForCurrentThread() - rentBefore;
        GC.KeepAlive(probe);
        Assert.True(rentAllocated >= 16 << 20, $"a 16 MiB array was waiting in the shared pool after the bomb ({rentAllocated:N0} bytes allocated to rent one)");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Bodies_around_the_probe_and_the_cap_inflate_exactly_or_are_refused_by_one_byte(string codec)
    {
        var random = new Random(13);
        const int cap = 6 << 20;
        // Compressible but not constant data: the probe (8x the compressed size, at most 4 MiB) is passed.
        var data = new byte[cap + 1];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + (random.Next(64) == 0 ? random.Next(26) : i % 7));
        }
        foreach (var size in new[] { 0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, PushBuffers.PooledMax - 1, PushBuffers.PooledMax, PushBuffers.PooledMax + 1, cap - 1, cap, cap + 1 })
        {
            var body = Compress(codec, data.AsSpan(0, size));
            var outcome = Decompressor.Inflate(body, CodecOf(codec), cap, out var buffer, out var length, out var error);
            if (body.Length == 0 && codec == "gzip")
            {
                // GZipStream writes nothing for no input; Go's reader calls an empty body an invalid header too.
                Assert.Equal(Decompressor.Outcome.Corrupt, outcome);
                continue;
            }
            if (size > cap)
            {
                Assert.Equal(Decompressor.Outcome.TooLarge, outcome);
                Assert.Contains($"({cap + 1} vs {cap})", error, StringComparison.Ordinal);
                continue;
            }
            Assert.True(outcome == Decompressor.Outcome.Ok, $"{size}: {outcome} {error}");
            Assert.Equal(size, length);
            Assert.True(buffer.AsSpan(0, length).SequenceEqual(data.AsSpan(0, size)), $"{codec} body of {size} bytes inflated differently");
            PushBuffers.Return(buffer);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_cap_below_the_probe_size_is_exact_too(string codec)
    {
        const int cap = 10_000; // below the smallest probe (64 KiB): the probe is cap + 1 bytes
        var data = new byte[cap + 1];
        new Random(5).NextBytes(data.AsSpan(0, 1000));
        foreach (var size in new[] { cap - 1, cap, cap + 1 })
        {
            var outcome = Decompressor.Inflate(Compress(codec, data.AsSpan(0, size)), CodecOf(codec), cap, out var buffer, out var length, out var error);
            if (size > cap)
            {
                Assert.Equal(Decompressor.Outcome.TooLarge, outcome);
                Assert.Contains($"({cap + 1} vs {cap})", error, StringComparison.Ordinal);
                continue;
            }
            Assert.Equal(Decompressor.Outcome.Ok, outcome);
            Assert.Equal(size, length);
            PushBuffers.Return(buffer);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_truncated_or_garbled_body_is_corrupt_not_an_exception(string codec)
    {
        var body = Compress(codec, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"streams\":[]} ", 10_000))));
        foreach (var bad in new[] { body[..(body.Length / 2)], body.Select((b, i) => i > 12 && i % 17 == 0 ? (byte)~b : b).ToArray() })
        {
            var outcome = Decompressor.Inflate(bad, CodecOf(codec), Cap, out var buffer, out _, out var error);
            if (outcome == Decompressor.Outcome.Ok)
            {
                // Some codecs cannot tell a truncated stream from a short one; whatever comes out is bounded.
                PushBuffers.Return(buffer);
                continue;
            }
            Assert.Equal(Decompressor.Outcome.Corrupt, outcome);
            Assert.NotEmpty(error);
        }
    }

    [Fact]
    public void A_gzip_json_push_larger_than_the_probe_decodes_completely()
    {
        var line = new string('x', 200);
        var values = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"[\"{1_700_000_000_000_000_000L + i}\",\"{line} {i % 10}\"]"));
        var json = Encoding.UTF8.GetBytes($"{{\"streams\":[{{\"stream\":{{\"app\":\"big\"}},\"values\":[{values}]}}]}}");
        Assert.True(json.Length > PushBuffers.PooledMax);
        var body = Compress("gzip", json);
        Assert.True(body.Length * 8L < json.Length, "the body should inflate past its probe");

        using var result = PushDecoder.Decode(body, "application/json", "gzip", PushFormat.Json, 256L << 20);

        Assert.True(result.Success, result.Error);
        Assert.Equal(100_000, result.Streams.Single().Entries.Count);
    }

    [Fact]
    public void A_raw_snappy_body_that_declares_more_than_it_holds_is_refused_before_the_output_is_allocated()
    {
        // Preamble: 20 MiB; elements: one literal of 3 bytes.
        var body = new List<byte>();
        for (var v = 20u << 20; ; v >>= 7)
        {
            if (v < 0x80)
            {
                body.Add((byte)v);
                break;
            }
            body.Add((byte)(v | 0x80));
        }
        body.AddRange([(2 << 2) | 0, (byte)'a', (byte)'b', (byte)'c']);

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var result = PushDecoder.Decode(body.ToArray(), "application/x-protobuf", null, PushFormat.Protobuf, 256L << 20);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("snappy: corrupt input", result.Error);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated for a 7-byte body");
    }

    [Fact]
    public void The_snappy_block_scan_accepts_what_snappy_produces()
    {
        var random = new Random(7);
        for (var n = 0; n < 200; n++)
        {
            var data = new byte[random.Next(0, 300_000)];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (byte)(random.Next(8) == 0 ? random.Next(256) : 'a' + (i % (1 + n % 40)));
            }
            var block = Snappier.Snappy.CompressToArray(data);
            Assert.True(SnappyBlock.IsWellFormed(block, data.Length), $"case {n}: {data.Length} bytes");
            Assert.False(SnappyBlock.IsWellFormed(block, data.Length + 1));
            if (block.Length > 8)
            {
                Assert.False(SnappyBlock.IsWellFormed(block[..^3], data.Length));
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Otlp_accepts_snappy_framed_and_raw_and_refuses_a_framed_bomb(bool framed)
    {
        var otlpJson = Encoding.UTF8.GetBytes("""{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","body":{"stringValue":"hello"}}]}]}]}""");
        var body = framed ? Compress("snappy-framed", otlpJson) : Snappier.Snappy.CompressToArray(otlpJson);

        using var result = PushDecoder.Decode(body, "application/json", "snappy", PushFormat.OtlpJson, Cap);
        Assert.True(result.Success, result.Error);
        Assert.Equal("hello", Encoding.UTF8.GetString(result.Streams.Single().Entries.Single().Line.Span));

        using var bomb = PushDecoder.Decode(CompressZeros("snappy-framed", 2 * Cap), "application/json", "snappy", PushFormat.OtlpJson, Cap);
        Assert.Equal(413, bomb.StatusCode);
    }
}
