using System.IO.Compression;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push.Tests;

/// <summary>Seeded mutation fuzzing: whatever the bytes, Decode and Validate answer with a value, never an exception.</summary>
public sealed class DecoderFuzzTests
{
    private const int Iterations = 4000;

    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 26, 0, 41, 0, TimeSpan.Zero));

    private sealed record Seed(string Name, byte[] Body, string? ContentType, string? ContentEncoding, PushFormat Format, Func<byte[], byte[]> Wrap);

    private static List<Seed> Seeds()
    {
        var seeds = new List<Seed>();
        foreach (var name in Fixture.Names)
        {
            var fixture = Fixture.Load(name);
            seeds.Add(new Seed(name, fixture.Body, fixture.ContentType, fixture.ContentEncoding, fixture.Format, b => b));
        }

        // Mutate the bytes inside the compression too, so the JSON and protobuf parsers see damage
        // that the snappy and gzip checks would otherwise catch first.
        var proto = Fixture.Load("001-winston-loki-proto");
        seeds.Add(new Seed("001-inner", Snappier.Snappy.DecompressToArray(proto.Body), proto.ContentType, null, PushFormat.Protobuf, b => Snappier.Snappy.CompressToArray(b)));
        var otlp = Fixture.Load("006-otlp-http-gzip");
        using (var inflated = new MemoryStream())
        {
            using (var gzip = new GZipStream(new MemoryStream(otlp.Body), CompressionMode.Decompress))
            {
                gzip.CopyTo(inflated);
            }

            seeds.Add(new Seed("006-inner", inflated.ToArray(), otlp.ContentType, "gzip", PushFormat.OtlpJson, TestData.Gzip));
            seeds.Add(new Seed("006-as-otlp-proto", inflated.ToArray(), "application/x-protobuf", null, PushFormat.OtlpProtobuf, b => b));
        }

        return seeds;
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var data = new List<byte>(input);
        var mutations = random.Next(1, 5);
        for (var m = 0; m < mutations; m++)
        {
            if (data.Count == 0)
            {
                data.Add((byte)random.Next(256));
                continue;
            }

            var at = random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0:
                    data[at] = (byte)random.Next(256);
                    break;
                case 1:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    data.RemoveRange(at, Math.Min(random.Next(1, 16), data.Count - at));
                    break;
                case 3:
                    data.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 5:
                    var length = Math.Min(random.Next(1, 64), data.Count - at);
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    break;
                default:
                    // Structural characters and boundary digits the parsers branch on.
                    byte[] interesting = [(byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'"', (byte)'\\', (byte)',', (byte)':', (byte)'=', (byte)'-', (byte)'9', 0x00, 0x80, 0xff];
                    data[at] = interesting[random.Next(interesting.Length)];
                    break;
            }
        }

        return [.. data];
    }

    [Fact]
    public void MutatedFixtures_NeverThrow_AndFailOnlyWithClientErrors()
    {
        var random = new Random(20261126);
        var seeds = Seeds();
        var validator = new PushValidator(Time);
        var outcomes = new Dictionary<int, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var seed = seeds[i % seeds.Count];
            var body = seed.Wrap(Mutate(random, seed.Body));

            var result = PushDecoder.Decode(body, seed.ContentType, seed.ContentEncoding, seed.Format, 1 << 20, Time);

            outcomes[result.StatusCode] = outcomes.GetValueOrDefault(result.StatusCode) + 1;
            if (result.Success)
            {
                Assert.Equal(200, result.StatusCode);
                var validated = validator.Validate("fuzz", result.Streams, new ValidationLimits());
                Assert.True(validated.AcceptedLines + validated.Discarded.Values.Sum(d => d.Lines) <= result.Streams.Sum(s => s.Entries.Count));
            }
            else
            {
                Assert.Contains(result.StatusCode, new[] { 400, 413, 415 });
                Assert.False(string.IsNullOrEmpty(result.Error));
            }
        }

        // The corpus must exercise both outcomes, or the fuzzer is not reaching the parsers.
        Assert.True(outcomes.GetValueOrDefault(200) > Iterations / 20, $"successes: {outcomes.GetValueOrDefault(200)}");
        Assert.True(outcomes.GetValueOrDefault(400) > Iterations / 20, $"failures: {outcomes.GetValueOrDefault(400)}");
    }

    [Fact]
    public void MutatedLabelStrings_NeverThrow_AndParsedOnesRoundTrip()
    {
        var random = new Random(7);
        string[] seeds = ["{level=\"info\",app=\"winston-demo\",env=\"dev\"}", "{a=\"x\\\"y\\n\\u00e9\", b='c', d=`e`}", "{}"];
        for (var i = 0; i < Iterations; i++)
        {
            var text = System.Text.Encoding.UTF8.GetString(Mutate(random, System.Text.Encoding.UTF8.GetBytes(seeds[i % seeds.Length])));

            if (LabelSet.TryParse(text, out var labels, out var error))
            {
                var canonical = LabelSet.Canonicalize(labels);
                Assert.True(LabelSet.TryParse(canonical, out var again, out var reparseError), $"{canonical}: {reparseError}");
                Assert.Equal(canonical, LabelSet.Canonicalize(again));
            }
            else
            {
                Assert.StartsWith("1:", error, StringComparison.Ordinal);
            }
        }
    }
}
