using System.Text.Unicode;

namespace Orleans.Loki.Bench.Generation;

/// <summary>
/// Writes realistic, varied log lines from a seeded <see cref="Random"/>: the same seed always gives the same bytes,
/// so two runs (or two commits) measure the same corpus.
/// </summary>
public sealed class LineGenerator(Random random)
{
    /// <summary>Largest line this generator writes (with the needle); callers size their buffers from it.</summary>
    public const int MaxLineBytes = 1024;

    // Route templates without ids, so `sum by (path)` stays at a dozen series; ids go into their own fields.
    private static readonly string[] s_routes =
    [
        "/api/v1/users", "/api/v1/orders", "/api/v1/cart/items", "/api/v2/search", "/api/v1/payments",
        "/api/v1/inventory", "/login", "/logout", "/healthz", "/metrics", "/static/app.js", "/api/v1/recommendations",
    ];

    private static readonly string[] s_methods = ["GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"];

    // Weighted by repetition: mostly 2xx, a few 4xx, ~4% 5xx.
    private static readonly int[] s_statuses =
    [
        200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 204, 301, 304,
        304, 400, 401, 403, 404, 404, 404, 429, 499, 500, 502, 503,
    ];

    private static readonly string[] s_levels = ["debug", "info", "info", "info", "info", "info", "info", "warn", "warn", "error"];

    private static readonly string[] s_messages =
    [
        "request completed", "request started", "cache miss", "cache hit", "retrying upstream call",
        "connection reset by peer", "slow query detected", "token refreshed", "user not found", "payment authorized",
        "inventory reserved", "rate limit exceeded", "context deadline exceeded", "published event to queue",
    ];

    private static readonly string[] s_callers =
    [
        "handler.go:142", "middleware.go:88", "store/postgres.go:311", "client/http.go:57", "queue/kafka.go:204",
        "auth/jwt.go:73", "cache/redis.go:119",
    ];

    private static readonly string[] s_agents =
    [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "curl/8.5.0", "Go-http-client/1.1", "kube-probe/1.31", "python-requests/2.32.3",
    ];

    private readonly Random _random = random;

    /// <summary>Writes one line of <paramref name="format"/> into <paramref name="destination"/>; returns its length.</summary>
    /// <param name="format">Line shape.</param>
    /// <param name="timestampNs">Time written into the line's own timestamp field.</param>
    /// <param name="needle">A rare token to embed in the message, or null.</param>
    /// <param name="destination">At least <see cref="MaxLineBytes"/> bytes.</param>
    public int Write(LineFormat format, long timestampNs, string? needle, Span<byte> destination)
    {
        var time = DateTime.UnixEpoch.AddTicks(timestampNs / 100);
        var route = Pick(s_routes);
        var status = Pick(s_statuses);
        var level = status >= 500 ? "error" : Pick(s_levels);
        var message = needle is null ? Pick(s_messages) : Pick(s_messages) + " " + needle;
        var latencyMs = Math.Round(Math.Exp(_random.NextDouble() * 7) / 10, 3);
        var userId = _random.Next(1, 250_000);
        var traceHi = _random.NextInt64();
        var bytesSent = _random.Next(120, 64_000);
        int written;
        var ok = format switch
        {
            LineFormat.Logfmt => Utf8.TryWrite(destination,
                $"ts={time:yyyy-MM-ddTHH:mm:ss.fffZ} level={level} caller={Pick(s_callers)} method={Pick(s_methods)} path={route} status={status} duration={latencyMs}ms user_id=u-{userId} trace_id={traceHi:x16} bytes={bytesSent} msg=\"{message}\"",
                out written),
            LineFormat.Json => Utf8.TryWrite(destination,
                $"{{\"ts\":\"{time:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"level\":\"{level}\",\"msg\":\"{message}\",\"method\":\"{Pick(s_methods)}\",\"path\":\"{route}\",\"status\":{status},\"latency_ms\":{latencyMs},\"user\":{{\"id\":\"u-{userId}\",\"tier\":\"{(userId % 7 == 0 ? "premium" : "free")}\"}},\"trace_id\":\"{traceHi:x16}\"}}",
                out written),
            _ => Utf8.TryWrite(destination,
                $"10.{userId % 256}.{(userId >> 8) % 256}.{_random.Next(1, 255)} - - [{time:dd/MMM/yyyy:HH:mm:ss} +0000] \"{Pick(s_methods)} {route}/{userId}?trace={traceHi:x16} HTTP/1.1\" {status} {bytesSent} \"-\" \"{Pick(s_agents)}\" {latencyMs / 1000:0.000}{(needle is null ? "" : " " + needle)}",
                out written),
        };
        return ok ? written : throw new InvalidOperationException("generated line exceeds MaxLineBytes");
    }

    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];
}
