using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Loki.Gateway;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Push;

namespace Orleans.Loki.Limits.Tests;

/// <summary>Tenant limits that fail for tenant <c>broken</c>: a server-side fault on demand.</summary>
internal sealed class BreakableLimits(ITenantLimits inner) : ITenantLimits
{
    public const string Tenant = "broken";

    public ValidationLimits Validation(string tenant) => tenant == Tenant ? throw new InvalidOperationException("limits store unavailable") : inner.Validation(tenant);

    public QueryLimits Query(string tenant) => tenant == Tenant ? throw new InvalidOperationException("limits store unavailable") : inner.Query(tenant);

    public IngestionLimits Ingestion(string tenant) => inner.Ingestion(tenant);
}

public sealed class HardeningServerFixture : IAsyncLifetime
{
    public LokiServer Server { get; private set; } = null!;
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync() => Server = await LokiServer.StartAsync("""
        auth_enabled: true
        distributor:
          max_recv_msg_size: 40MB
          max_decompressed_size: 40MB
        """, builder =>
        {
            builder.Logging.AddProvider(Logs);
            builder.Logging.AddFilter("Orleans.Loki.Gateway.Http", LogLevel.Debug);
            builder.Services.AddSingleton<ITenantLimits>(sp => new BreakableLimits(new DefaultTenantLimits(sp.GetRequiredService<Orleans.Loki.Gateway.GatewayOptions>())));
        });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// A client's mistake is a 4xx with a text and one debug line; a server fault a 500 with a text, logged once per
/// cause; the push body limit is the configured one, not Kestrel's 30,000,000 bytes.
/// </summary>
public sealed class HttpHardeningTests(HardeningServerFixture fixture) : IClassFixture<HardeningServerFixture>
{
    private LokiServer Server => fixture.Server;

    private static readonly string[] s_queryEndpoints =
    [
        "/loki/api/v1/query_range", "/loki/api/v1/query", "/loki/api/v1/labels", "/loki/api/v1/label",
        "/loki/api/v1/label/job/values", "/loki/api/v1/series", "/loki/api/v1/format_query",
        "/loki/api/v1/index/stats", "/loki/api/v1/index/volume", "/loki/api/v1/index/volume_range",
        "/loki/api/v1/detected_labels", "/loki/api/v1/detected_fields", "/loki/api/v1/detected_field/job/values",
        "/loki/api/v1/patterns",
    ];

    public static TheoryData<string> PostQueryEndpoints() => [.. s_queryEndpoints];

    [Theory]
    [MemberData(nameof(PostQueryEndpoints))]
    public async Task A_nul_byte_in_a_form_post_is_a_400_with_a_text(string endpoint)
    {
        var form = new StringContent("query=%7Bjob%3D%22x%22%7D%00&match[]=%7Bjob%3D%22x%22%7D%00", Encoding.ASCII, "application/x-www-form-urlencoded");
        var (status, body, _) = await Server.SendAsync(HttpMethod.Post, endpoint, form, tenant: "t-nul");
        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.OK, $"{endpoint}: {(int)status} '{body}'");
        if (status != HttpStatusCode.OK)
        {
            Assert.False(string.IsNullOrWhiteSpace(body), $"{endpoint}: 400 without a text");
        }

        // The same over GET is answered the same way.
        var (getStatus, _, _) = await Server.SendAsync(HttpMethod.Get, endpoint + "?query=%7Bjob%3D%22x%22%7D%00&match[]=%7Bjob%3D%22x%22%7D%00", tenant: "t-nul");
        Assert.Equal(getStatus, status);
        AssertNoFailures();
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "query=%ZZ%00&%%%=&=")]
    [InlineData("multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n{job=\"x\"}\r\n")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n{job=\"x\"}")]
    public async Task An_unparsable_form_body_is_a_4xx_with_a_text(string contentType, string payload)
    {
        foreach (var endpoint in s_queryEndpoints)
        {
            var content = new ByteArrayContent(Encoding.ASCII.GetBytes(payload));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            var (status, body, _) = await Server.SendAsync(HttpMethod.Post, endpoint, content, tenant: "t-form");
            Assert.True((int)status is >= 200 and < 500, $"{endpoint}: {(int)status} '{body}'");
            if ((int)status >= 400)
            {
                Assert.False(string.IsNullOrWhiteSpace(body), $"{endpoint}: {(int)status} without a text");
            }
        }
        AssertNoFailures();
    }

    [Fact]
    public async Task A_form_body_over_10_MiB_is_a_413_with_go_s_text()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("query=" + new string('a', 11 << 20)));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        var (status, body, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/query_range", content, tenant: "t-form");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("http: POST too large", body.Trim());
    }

    [Fact]
    public async Task The_push_limit_is_max_recv_msg_size_not_kestrels_30_MB()
    {
        // 35,000,000 bytes: over Kestrel's default cap, under the configured 40 MB. Garbage, so the answer is the
        // decoder's 400 (before: an empty 413 and an unhandled-exception stack).
        var under = new ByteArrayContent(new byte[35_000_000]);
        under.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var (status, body, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", under, tenant: "t-size");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(body.Trim());

        const long limit = 40L << 20; // "40MB": Loki's byte sizes are powers of 1024
        foreach (var chunked in new[] { false, true })
        {
            HttpContent over = chunked ? new StreamContent(new MemoryStream(new byte[45 << 20])) : new ByteArrayContent(new byte[45 << 20]);
            over.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            if (chunked)
            {
                over.Headers.ContentLength = null;
            }
            var (overStatus, overBody, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", over, tenant: "t-size");
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overStatus);
            Assert.StartsWith("request body too large: message size too large than max (", overBody, StringComparison.Ordinal);
            Assert.EndsWith($" vs {limit})", overBody.Trim(), StringComparison.Ordinal);
        }
        AssertNoFailures();
    }

    [Fact]
    public async Task Malformed_chunked_encoding_and_an_aborted_upload_are_client_errors_logged_at_debug()
    {
        var port = Server.Client.BaseAddress!.Port;
        var before = DebugLines();

        // A chunk size that is not hex.
        var response = await RawAsync(port, "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t-raw\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n", close: false);
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("bad request: ", response, StringComparison.Ordinal);

        // Headers promise a megabyte, a kilobyte arrives, then the connection is gone.
        await RawAsync(port, "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t-raw\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n" + new string('{', 1000), close: true);

        // Both show up as one debug line each (the signal that the server is done with them) and nothing worse.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DebugLines() < before + 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(DebugLines() >= before + 2, "expected one debug line per client mistake");
        AssertNoFailures();
        Assert.All(fixture.Logs.Lines.Where(l => l.Category.StartsWith("Orleans.Loki.Gateway.Http", StringComparison.Ordinal) && l.Level == LogLevel.Debug), l => Assert.Null(l.Error));
    }

    [Fact]
    public async Task A_server_fault_is_a_500_with_a_text_on_every_endpoint_and_is_logged_once_per_cause()
    {
        var urls = new List<(HttpMethod Method, string Url, Func<HttpContent?> Body)>
        {
            (HttpMethod.Post, "/loki/api/v1/push", () => LokiServer.JsonPush("{\"app\":\"x\"}", [(LokiServer.NowNs, "line")])),
            (HttpMethod.Post, "/otlp/v1/logs", () => new StringContent($"{{\"resourceLogs\":[{{\"resource\":{{}},\"scopeLogs\":[{{\"logRecords\":[{{\"timeUnixNano\":\"{LokiServer.NowNs}\",\"body\":{{\"stringValue\":\"x\"}}}}]}}]}}]}}", Encoding.UTF8, "application/json")),
        };
        foreach (var endpoint in s_queryEndpoints)
        {
            urls.Add((HttpMethod.Get, endpoint + "?query=%7Bjob%3D%22x%22%7D", () => null));
        }
        for (var round = 0; round < 5; round++)
        {
            foreach (var (method, url, content) in urls)
            {
                var (status, body, _) = await Server.SendAsync(method, url, content(), tenant: BreakableLimits.Tenant);
                if (url.Contains("format_query", StringComparison.Ordinal))
                {
                    // Needs no limits.
                    Assert.Equal(HttpStatusCode.OK, status);
                    continue;
                }
                Assert.True(status == HttpStatusCode.InternalServerError, $"{url}: {(int)status} '{body}'");
                Assert.Equal("internal server error: limits store unavailable", body.Trim());
            }
        }

        var errors = fixture.Logs.Lines.Where(l => l.Level >= LogLevel.Error && l.Message.Contains("limits store unavailable", StringComparison.Ordinal)).ToList();
        // One line per endpoint (cause), not one per request.
        Assert.InRange(errors.Count, 1, urls.Count);
        Assert.True(errors.Count < urls.Count * 5);
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Message.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Two_servers_on_one_host_have_different_silo_names()
    {
        await using var other = await LokiServer.StartAsync();
        var first = Server.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName;
        var second = other.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName;
        Assert.NotEqual(first, second);
        Assert.StartsWith("all-", first, StringComparison.Ordinal);
    }

    /// <summary>No error or unhandled-exception line, apart from the deliberate fault of <see cref="BreakableLimits"/>.</summary>
    private void AssertNoFailures()
    {
        var failures = fixture.Logs.Failures().Where(f => !f.Contains("limits store unavailable", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private int DebugLines() => fixture.Logs.Lines.Count(l => l.Category.StartsWith("Orleans.Loki.Gateway.Http", StringComparison.Ordinal) && l.Level == LogLevel.Debug);

    private static async Task<string> RawAsync(int port, string request, bool close)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (close)
        {
            client.Client.Shutdown(SocketShutdown.Both);
            return string.Empty;
        }
        var buffer = new byte[4096];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                break;
            }
            read += n;
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0 && text.Length > headerEnd + 4)
            {
                break;
            }
        }
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
