using System.Net;
using Orleans.Loki.Testing;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>
/// Decompression bombs against the real binary: each is refused with 413, resident memory afterwards stays within
/// 100 MB of what it was before them, and pushes sent at the same time all succeed.
/// </summary>
public sealed class DecompressionBombTests
{
    private const long Cap = 64L << 20;

    [Fact]
    public async Task Bombs_of_every_kind_leave_resident_memory_bounded_and_never_fail_a_concurrent_push()
    {
        await using var loki = await LokiProcess.StartAsync($"""
            distributor:
              max_decompressed_size: {Cap}
            limits_config:
              ingestion_rate_mb: 1000
              ingestion_burst_size_mb: 1000
            """);
        // Each bomb inflates to twice the cap.
        var kinds = new (string Path, string ContentType, string Encoding, byte[] Body)[]
        {
            ("/loki/api/v1/push", "application/json", "gzip", PushBodies.Bomb("gzip", 2 * Cap)),
            ("/loki/api/v1/push", "application/json", "deflate", PushBodies.Bomb("deflate", 2 * Cap)),
            ("/otlp/v1/logs", "application/json", "gzip", PushBodies.Bomb("gzip", 2 * Cap)),
            ("/otlp/v1/logs", "application/x-protobuf", "snappy", PushBodies.Bomb("snappy-framed", 2 * Cap)),
        };

        // Warm up: a few pushes and one bomb of each kind, so that what is measured is what bombs add.
        for (var i = 0; i < 3; i++)
        {
            await PushLegitAsync(loki, i);
        }
        // Warm-up takes the heaps to their working size (server GC sizes its budgets by what it sees first).
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(kinds.Select(kind => BombAsync(loki, kind)));
        }
        var before = loki.RssBytes();
        var samples = new System.Collections.Concurrent.ConcurrentQueue<long>();

        var legit = Task.Run(async () =>
        {
            var failures = new List<string>();
            for (var i = 0; i < 40; i++)
            {
                var (status, body) = await PushLegitAsync(loki, 100 + i);
                if (status != HttpStatusCode.NoContent)
                {
                    failures.Add($"{(int)status} {body}");
                }
            }
            return failures;
        });
        var bombers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await BombAsync(loki, kinds[(worker + i) % kinds.Length]);
                if (worker == 0)
                {
                    samples.Enqueue(loki.RssBytes() >> 20);
                }
            }
        })).ToArray();
        await Task.WhenAll(bombers);
        var legitFailures = await legit;
        var after = loki.RssBytes();

        Assert.Empty(legitFailures);
        Assert.True(after - before < 100L << 20, $"RSS {before >> 20} MiB before 100 bombs, {after >> 20} MiB after (during: {string.Join(", ", samples)} MiB)");
        Assert.DoesNotContain("unhandled exception", loki.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("OutOfMemory", loki.Output, StringComparison.Ordinal);
    }

    private static async Task BombAsync(LokiProcess loki, (string Path, string ContentType, string Encoding, byte[] Body) kind)
    {
        using var response = await loki.Client.PostAsync(kind.Path, PushBodies.Content(kind.Body, kind.ContentType, kind.Encoding));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{kind.Path} {kind.Encoding}: {(int)response.StatusCode} {text}");
        Assert.Contains("decompressed message size too large than max", text, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> PushLegitAsync(LokiProcess loki, int n)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var body = PushBodies.Compress("gzip", PushBodies.Json("{\"app\":\"legit\"}", Enumerable.Range(0, 100).Select(i => (now + i, $"legit push {n} line {i}"))));
        using var response = await loki.Client.PostAsync("/loki/api/v1/push", PushBodies.Content(body, "application/json", "gzip"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
