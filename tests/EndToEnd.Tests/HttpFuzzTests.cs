using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>
/// A seeded, bounded fuzz run against every endpoint of the real binary: mutated push bodies in every format and
/// encoding, mutated LogQL, odd parameters and bodies, as GET, POST form and POST JSON. No request may get a 5xx,
/// the log may not show an unhandled exception or a server error, the server answers a normal query afterwards,
/// and its resident memory stays bounded.
/// </summary>
public sealed class HttpFuzzTests
{
    private const int Seed = 20261202;
    private const int Requests = 2000;

    private static readonly string[] s_queryEndpoints =
    [
        "/loki/api/v1/query_range", "/loki/api/v1/query", "/loki/api/v1/labels", "/loki/api/v1/label",
        "/loki/api/v1/label/app/values", "/loki/api/v1/label/%00/values", "/loki/api/v1/series", "/loki/api/v1/format_query",
        "/loki/api/v1/index/stats", "/loki/api/v1/index/volume", "/loki/api/v1/index/volume_range",
        "/loki/api/v1/detected_labels", "/loki/api/v1/detected_fields", "/loki/api/v1/detected_field/level/values",
        "/loki/api/v1/patterns", "/loki/api/v1/tail",
    ];

    private static readonly string[] s_otherEndpoints =
    [
        "/ready", "/metrics", "/config", "/loki/api/v1/status/buildinfo", "/flush", "/ingester/flush", "/nope", "/loki/api/v1/",
    ];

    private static readonly string[] s_queries =
    [
        "{app=\"fuzz\"}",
        "{app=\"fuzz\"} |= \"line\" | logfmt | level=\"info\"",
        "{app=~\"fu.*\", env!=\"x\"} | json | line_format \"{{.msg}} {{ .level | upper }}\"",
        "sum by (app) (rate({app=\"fuzz\"}[1m]))",
        "count_over_time({app=\"fuzz\"} |~ \"l(i|n)+e\" [5m])",
        "quantile_over_time(0.9, {app=\"fuzz\"} | regexp \"(?P<n>\\\\d+)\" | unwrap n [1m]) by (app)",
        "topk(3, sum by (level) (bytes_over_time({app=\"fuzz\"}[10m])))",
        "{app=\"fuzz\"} | pattern \"<_> line <n>\" | n > 3 | label_format x=\"{{.n}}\"",
        "1 + 2 * vector(3)",
        "{app=\"fuzz\"} | decolorize | drop level | keep app",
    ];

    private static readonly string[] s_odd =
    [
        "", "0", "-1", "1", "1e400", "NaN", "+Inf", "now", "2024-01-01T00:00:00Z", "99999999999999999999", "abc", "\0", "%00",
        "1ms", "0.001", "1y", "5m", "-5m", "9223372036854775807", "-9223372036854775808", "forward", "backward", "sideways",
        "\u00ff\u00fe", "{", "}", "|", "labels", "app", "[]", new string('9', 400), "1h30m", "1e-9", "0x10", " 10 ",
    ];

    private static readonly string[] s_params =
    [
        "query", "start", "end", "step", "limit", "direction", "since", "interval", "time", "match[]", "targetLabels",
        "aggregateBy", "line_limit", "delay_for", "query", "step", "limit",
    ];

    private static readonly string[] s_contentTypes =
    [
        "application/json", "application/x-protobuf", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data",
        "application/json; charset=utf-16", "", "x/y; a=\"",
    ];

    private static readonly string[] s_encodings = ["gzip", "deflate", "zlib", "snappy-framed", "snappy-block", "none", "bogus"];

    [Fact]
    public async Task Two_thousand_hostile_requests_get_no_5xx_and_leave_the_server_healthy()
    {
        await using var loki = await LokiProcess.StartAsync("""
            auth_enabled: true
            distributor:
              max_recv_msg_size: 4MB
              max_decompressed_size: 4MB
            limits_config:
              ingestion_rate_mb: 1000
              ingestion_burst_size_mb: 1000
              query_timeout: 20s
            """);
        var random = new Random(Seed);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var entries = Enumerable.Range(0, 20).Select(i => (now - 60_000_000_000L + (i * 1_000_000_000L), $"level=info msg=\"line {i}\" n={i}")).ToArray();
        // Some data for the queries to find.
        using (var seeded = await SendAsync(loki, HttpMethod.Post, "/loki/api/v1/push", PushBodies.Content(PushBodies.Json("{\"app\":\"fuzz\"}", entries), "application/json", null), "fuzz"))
        {
            Assert.Equal(HttpStatusCode.NoContent, seeded.StatusCode);
        }
        var rssBefore = loki.RssBytes();

        // Generate every request up front (the seed fixes the sequence), send them four at a time.
        var requests = Enumerable.Range(0, Requests).Select(i => Generate(random, i, now, entries)).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var next = -1;
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n < requests.Count)
            {
                var r = requests[n];
                try
                {
                    using var response = await SendAsync(loki, r.Method, r.Url, r.Body(), r.Tenant);
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Enqueue($"#{n} {r.Description}: {(int)response.StatusCode} '{await response.Content.ReadAsStringAsync()}'");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"#{n} {r.Description}: {e.GetType().Name} {e.Message}");
                }
            }
        })));
        var elapsed = DateTime.UtcNow - started;

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Requests} requests failed (seed {Seed}, {elapsed.TotalSeconds:F0} s):\n{string.Join("\n", failures.Take(20))}");

        // Healthy afterwards: a normal query returns the seeded lines.
        using var query = await SendAsync(loki, HttpMethod.Get, $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"fuzz\"}")}&start={now - 3_600_000_000_000L}&end={now + 60_000_000_000L}&limit=1000", null, "fuzz");
        var json = await query.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        using var doc = JsonDocument.Parse(json);
        var lines = doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => v[1].GetString())).ToHashSet();
        Assert.All(entries, e => Assert.Contains(e.Item2, lines));

        var output = loki.Output;
        Assert.DoesNotContain("unhandled exception", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Orleans.Loki.Gateway.Http.ServerErrorLog", output, StringComparison.Ordinal);
        var rssAfter = loki.RssBytes();
        Assert.True(rssAfter - rssBefore < 300L << 20, $"RSS {rssBefore >> 20} MiB before, {rssAfter >> 20} MiB after {Requests} requests");
    }

    private sealed record FuzzRequest(string Description, HttpMethod Method, string Url, Func<HttpContent?> Body, string? Tenant);

    private static FuzzRequest Generate(Random random, int n, long now, (long, string)[] entries)
    {
        var tenant = random.Next(20) switch
        {
            0 => null,
            1 => "a|b",
            2 => "../x",
            3 => new string('t', 200),
            4 => "fuzz|other",
            _ => "fuzz",
        };
        var roll = random.Next(100);
        if (roll < 35)
        {
            return Push(random, n, now, entries, tenant);
        }
        if (roll < 92)
        {
            return Query(random, tenant, now);
        }
        var path = s_otherEndpoints[random.Next(s_otherEndpoints.Length)];
        var method = random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Post;
        if (path.Contains("flush", StringComparison.Ordinal) && random.Next(4) != 0)
        {
            // Flushing on every few requests would only slow the run down; keep some.
            path = "/ready";
        }
        var withBody = random.Next(3) == 0;
        return new FuzzRequest($"{method} {path}", method, path, () => withBody ? new ByteArrayContent(RandomBytes(new Random(n), 100)) : null, tenant);
    }

    private static FuzzRequest Push(Random random, int n, long now, (long, string)[] entries, string? tenant)
    {
        var format = random.Next(4);
        var path = format == 3 ? "/otlp/v1/logs" : random.Next(10) == 0 ? "/api/prom/push" : "/loki/api/v1/push";
        var chosen = entries.Take(random.Next(1, entries.Length)).Select(e => (e.Item1 + n, e.Item2)).ToArray();
        byte[] body = format switch
        {
            0 => PushBodies.Json("{\"app\":\"fuzz\",\"n\":\"" + (n % 5) + "\"}", chosen),
            1 => Snappier.Snappy.CompressToArray(PushBodies.Protobuf("{app=\"fuzz\", n=\"" + (n % 5) + "\"}", chosen)),
            2 => PushBodies.Protobuf("{app=\"fuzz\"}", chosen),
            _ => PushBodies.OtlpJson("fuzz", chosen),
        };
        var contentType = format switch
        {
            0 or 3 => "application/json",
            _ => "application/x-protobuf",
        };
        var mutation = random.Next(10);
        body = mutation switch
        {
            0 or 1 or 2 => body,
            3 => body[..random.Next(body.Length + 1)],
            4 => Flip(random, body),
            5 => [.. body, .. RandomBytes(random, random.Next(1, 50))],
            6 => RandomBytes(random, random.Next(0, 500)),
            7 => Encoding.UTF8.GetBytes(Mutate(random, Encoding.UTF8.GetString(body))),
            8 => PushBodies.Bomb(random.Next(2) == 0 ? "gzip" : "deflate", 8L << 20),
            _ => Flip(random, body),
        };
        string? encoding = null;
        var wire = random.Next(8);
        if (mutation == 8)
        {
            encoding = "gzip";
        }
        else if (wire < 4)
        {
            var e = s_encodings[random.Next(s_encodings.Length)];
            encoding = e switch
            {
                "zlib" => "deflate",
                "snappy-framed" or "snappy-block" => "snappy",
                "none" => null,
                _ => e,
            };
            if (e is "gzip" or "deflate" or "zlib" or "snappy-framed" or "snappy-block")
            {
                body = PushBodies.Compress(e, body);
                if (random.Next(4) == 0)
                {
                    body = Flip(random, body);
                }
            }
        }
        if (mutation == 8)
        {
            // The bomb is gzip or deflate already; say which (or lie).
            encoding = body.Length > 1 && body[0] == 0x1f ? "gzip" : "deflate";
        }
        if (random.Next(8) == 0)
        {
            contentType = s_contentTypes[random.Next(s_contentTypes.Length)];
        }
        var desc = $"POST {path} format={format} mutation={mutation} type={contentType} encoding={encoding} bytes={body.Length}";
        return new FuzzRequest(desc, HttpMethod.Post, path, () => PushBodies.Content(body, contentType.Length == 0 ? null : contentType, encoding), tenant);
    }

    private static FuzzRequest Query(Random random, string? tenant, long now)
    {
        var path = s_queryEndpoints[random.Next(s_queryEndpoints.Length)];
        var parameters = new List<(string Key, string Value)>();
        var query = s_queries[random.Next(s_queries.Length)];
        if (random.Next(3) != 0)
        {
            query = Mutate(random, query);
        }
        parameters.Add((random.Next(6) == 0 ? "match[]" : "query", query));
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            var key = s_params[random.Next(s_params.Length)];
            var value = random.Next(4) switch
            {
                0 when key is "start" or "end" or "time" => (now - random.NextInt64(0, 7_200_000_000_000L)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                1 => Mutate(random, s_odd[random.Next(s_odd.Length)]),
                _ => s_odd[random.Next(s_odd.Length)],
            };
            parameters.Add((key, value));
        }
        var encoded = string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        if (random.Next(15) == 0)
        {
            // Broken percent-encoding and stray separators.
            encoded += "&%zz=%&==&%E0%A4%A";
        }
        var shape = random.Next(3);
        var desc = $"{(shape == 0 ? "GET" : shape == 1 ? "POST form" : "POST json")} {path} {encoded}";
        return shape switch
        {
            0 => new FuzzRequest(desc, HttpMethod.Get, path + "?" + encoded, () => null, tenant),
            1 => new FuzzRequest(desc, HttpMethod.Post, path, () => PushBodies.Content(Encoding.UTF8.GetBytes(encoded), "application/x-www-form-urlencoded", null), tenant),
            _ => new FuzzRequest(desc, HttpMethod.Post, path, () => PushBodies.Content(JsonSerializer.SerializeToUtf8Bytes(parameters.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)), "application/json", null), tenant),
        };
    }

    private static async Task<HttpResponseMessage> SendAsync(LokiProcess loki, HttpMethod method, string url, HttpContent? content, string? tenant)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (tenant is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Scope-OrgID", tenant);
        }
        return await loki.Client.SendAsync(request);
    }

    private static string Mutate(Random random, string text)
    {
        const string alphabet = "{}()[]|=~!\"\\`'.,*+?^$<>-_ 0123456789abcxyz\0\u00e9\u4e2d\n\t#";
        var chars = new StringBuilder(text);
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            var at = chars.Length == 0 ? 0 : random.Next(chars.Length);
            switch (random.Next(5))
            {
                case 0 when chars.Length > 0:
                    chars.Remove(at, 1);
                    break;
                case 1 when chars.Length > 0:
                    chars[at] = alphabet[random.Next(alphabet.Length)];
                    break;
                case 2:
                    chars.Length = chars.Length == 0 ? 0 : random.Next(chars.Length);
                    break;
                case 3:
                    chars.Insert(at, text);
                    break;
                default:
                    chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
            }
        }
        return chars.ToString();
    }

    private static byte[] Flip(Random random, byte[] body)
    {
        var copy = (byte[])body.Clone();
        for (var i = random.Next(1, 5); i > 0 && copy.Length > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
