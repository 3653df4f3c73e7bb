using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Gateway.Export;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// <c>/loki/api/v1/export</c> over data in flushed chunks and in-memory heads of several silos (with ties and a
/// re-pushed duplicate): every entry, once, in order, whatever the page size; limits; tenancy; client abort.
/// </summary>
[Collection(GatewayClusterCollection.Name)]
public sealed class ExportHttpTests(GatewayClusterFixture fixture) : IAsyncLifetime
{
    private static Corpus? s_corpus;

    private Corpus Data => s_corpus!;

    private long Start => Data.BaseNs - Corpus.MinuteNs;

    private long End => Data.BaseNs + (37 * Corpus.MinuteNs);

    public async Task InitializeAsync() => s_corpus = await Corpus.SharedAsync(fixture.Http);

    public Task DisposeAsync()
    {
        fixture.Limits.Current = new QueryLimits();
        ExportService.PageEntries = 20_000;
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Export_returns_every_entry_once_in_order_whatever_the_page_size()
    {
        foreach (var direction in new[] { "forward", "backward" })
        {
            var expected = Expected(Data.Entries, Start, End, direction == "backward");
            Assert.NotEmpty(expected);
            foreach (var page in new[] { 1, 7, 500, 20_000 })
            {
                ExportService.PageEntries = page;
                var (status, body) = await GetAsync(fixture.Http, "{job=\"app\"}", Start, End, direction);
                Assert.True(status == HttpStatusCode.OK, body);
                Assert.Equal(expected, Rows(body));
            }
        }
    }

    [Fact]
    public async Task Export_applies_the_pipeline_and_the_range_end_is_exclusive()
    {
        ExportService.PageEntries = 13;
        var end = Data.BaseNs + (20 * Corpus.MinuteNs);
        var (status, body) = await GetAsync(fixture.Http, "{job=\"app\", pod=~\"p[01]\"} |= \"needle\"", Data.BaseNs, end, "forward");
        Assert.True(status == HttpStatusCode.OK, body);
        var expected = Expected(Data.Entries.Where(e => e.Pod is "p0" or "p1" && e.Line.Contains("needle", StringComparison.Ordinal)), Data.BaseNs, end, backward: false);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Rows(body));
    }

    [Fact]
    public async Task Text_format_is_the_lines_only()
    {
        ExportService.PageEntries = 50;
        var (status, body) = await GetAsync(fixture.Http, "{job=\"app\", pod=\"p2\"}", Start, End, "forward", "text");
        Assert.True(status == HttpStatusCode.OK, body);
        var expected = Data.Entries.Where(e => e.Pod == "p2").OrderBy(e => e.TimestampNs).ThenBy(e => e.Line, StringComparer.Ordinal).Select(e => e.Line + "\n");
        Assert.Equal(string.Concat(expected), body);
    }

    [Fact]
    public async Task Bad_requests_get_400_with_the_reason()
    {
        var (status, body) = await GetAsync(fixture.Http, "sum(count_over_time({job=\"app\"}[1m]))", Start, End, "forward");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("export supports log queries only, not metric queries", body.Trim());

        (status, body) = await GetAsync(fixture.Http, "{job=\"app\"", Start, End, "forward");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("parse error", body, StringComparison.Ordinal);

        (status, body) = await GetAsync(fixture.Http, "{job=\"app\"}", Start, End, "sideways");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid direction 'sideways'", body.Trim());

        fixture.Limits.Current = new QueryLimits { MaxQueryLength = TimeSpan.FromMinutes(10) };
        (status, body) = await GetAsync(fixture.Http, "{job=\"app\"}", Start, End, "forward");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("the query time range exceeds the limit (query length: 38m0s, limit: 10m)", body.Trim());
    }

    [Fact]
    public async Task Export_stops_at_the_tenants_byte_limit_with_an_error_line()
    {
        ExportService.PageEntries = 100;
        var (_, whole) = await GetAsync(fixture.Http, "{job=\"app\"}", Start, End, "forward");
        var lines = whole.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var limit = Encoding.UTF8.GetByteCount(string.Concat(lines.Take(250).Select(l => l + "\n"))) + 10;
        fixture.Limits.Current = new QueryLimits { MaxExportBytes = limit };

        var (status, body) = await GetAsync(fixture.Http, "{job=\"app\"}", Start, End, "forward");
        Assert.Equal(HttpStatusCode.OK, status);
        var got = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(251, got.Length);
        Assert.Equal(lines.Take(250), got.Take(250));
        Assert.Equal($"{{\"error\":\"export stopped: the response would exceed the tenant's export limit (max_export_bytes: {limit})\"}}", got[^1]);

        // Plain lines cannot carry the error: the response is cut off instead of ending as if complete.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await fixture.Http.GetAsync(Url("{job=\"app\"}", Start, End, "forward", "text"), HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task Export_reads_only_the_requested_tenants_and_needs_an_org_id_with_auth()
    {
        var options = new GatewayOptions { AuthEnabled = true };
        await using var app = await TestGateway.StartAsync(fixture.Cluster.Client, GatewayClusterFixture.Ingester, options);
        using var http = app.GetTestClient();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        foreach (var tenant in new[] { "export-a", "export-b" })
        {
            using var push = new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push")
            {
                Content = new StringContent($"{{\"streams\":[{{\"stream\":{{\"app\":\"shared\"}},\"values\":[[\"{now}\",\"line of {tenant}\"],[\"{now + 1}\",\"second of {tenant}\"]]}}]}}", Encoding.UTF8, "application/json"),
            };
            push.Headers.Add("X-Scope-OrgID", tenant);
            using var pushed = await http.SendAsync(push);
            Assert.Equal(HttpStatusCode.NoContent, pushed.StatusCode);
        }

        var (status, body) = await GetAsync(http, "{app=\"shared\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward", "text", "export-a");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("line of export-a\nsecond of export-a\n", body);

        (status, body) = await GetAsync(http, "{app=\"shared\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward", "ndjson", "export-a|export-b");
        Assert.Equal(HttpStatusCode.OK, status);
        var rows = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return $"{doc.RootElement.GetProperty("labels").GetProperty("__tenant_id__").GetString()} {doc.RootElement.GetProperty("line").GetString()}";
        });
        Assert.Equal(["export-a line of export-a", "export-b line of export-b", "export-a second of export-a", "export-b second of export-b"], rows);

        (status, body) = await GetAsync(http, "{app=\"shared\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("no org id", body.Trim());
    }

    [Fact]
    public async Task A_client_that_goes_away_stops_the_export()
    {
        var finished = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestGateway.StartAsync(fixture.Cluster.Client, GatewayClusterFixture.Ingester, new GatewayOptions(),
            services: s => s.AddSingleton<ITenantLimits>(fixture.Limits).AddSingleton<IStartupFilter>(new RecordBytes(finished)));
        using var http = app.GetTestClient();
        // Far more than the response pipe holds before it pushes back (64 KiB).
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var values = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"[\"{now + i}\",\"line {i:D6} {new string('x', 80)}\"]"));
        using (var pushed = await http.PostAsync("/loki/api/v1/push", new StringContent($"{{\"streams\":[{{\"stream\":{{\"job\":\"export-abort\"}},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, pushed.StatusCode);
        }
        ExportService.PageEntries = 1000;
        finished = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        RecordBytes.Current = finished;
        var (_, whole) = await GetAsync(http, "{job=\"export-abort\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward");
        Assert.Equal(20_000, whole.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var total = await finished.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Encoding.UTF8.GetByteCount(whole), total);

        finished = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        RecordBytes.Current = finished;
        using (var response = await http.GetAsync(Url("{job=\"export-abort\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward"), HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var first = new byte[100];
            Assert.True(await stream.ReadAsync(first) > 0);
        }
        var written = await finished.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(written < total / 2, $"the export went on after the client left: {written} of {total} bytes written");
    }

    [Fact]
    public async Task A_slow_client_holds_the_export_back_instead_of_the_server_buffering_the_result()
    {
        var (http, app, tenant, now) = await PushLargeAsync("export-slow");
        await using var _ = app;
        using var __ = http;
        ExportService.PageEntries = 1000;
        var metrics = ExportMetrics.For([tenant]);
        var url = Url("{job=\"export-big\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward", "text");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Scope-OrgID", tenant);
        var bytesBefore = metrics.Bytes.Value;
        var pagesBefore = metrics.Pages.Value;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[1000];
        await body.ReadExactlyAsync(first);

        // The client reads nothing more: the export waits for it, having written and read only a bounded part.
        await Eventually.HoldsAsync(() => metrics.Waiting.Value == 1, TimeSpan.FromSeconds(30), "the export waiting for the client");
        var written = metrics.Bytes.Value - bytesBefore;
        var pages = metrics.Pages.Value - pagesBefore;
        Assert.True(written <= 4 * 64 * 1024, $"{written} bytes written while the client read {first.Length} of {TotalBytes}");
        // The page being written and the one read ahead, of 20.
        Assert.True(pages <= 3, $"{pages} pages read while the client was paused");

        // The client reads on: every line arrives, in order.
        using var rest = new MemoryStream();
        await body.CopyToAsync(rest);
        var text = Encoding.UTF8.GetString(first) + Encoding.UTF8.GetString(rest.ToArray());
        Assert.Equal(string.Concat(Enumerable.Range(0, LargeLines).Select(LargeLine)), text);
        Assert.Equal(TotalBytes, metrics.Bytes.Value - bytesBefore);
        Assert.Equal(0, metrics.Waiting.Value);
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_the_export_and_its_reading()
    {
        var (http, app, tenant, now) = await PushLargeAsync("export-gone");
        await using var _ = app;
        using var __ = http;
        ExportService.PageEntries = 1000;
        var metrics = ExportMetrics.For([tenant]);
        var pagesBefore = metrics.Pages.Value;
        var bytesBefore = metrics.Bytes.Value;
        var url = Url("{job=\"export-big\"}", now - Corpus.SecondNs, now + Corpus.SecondNs, "forward", "ndjson");
        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.Add("X-Scope-OrgID", tenant);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            Assert.True(await body.ReadAsync(new byte[100]) > 0);
            await Eventually.HoldsAsync(() => metrics.Waiting.Value == 1, TimeSpan.FromSeconds(30), "the export waiting for the client");
            Assert.Equal(1, metrics.Active.Value);
        }

        // Disposing the response is the client going away: the export ends as cancelled, reading no further page.
        await Eventually.HoldsAsync(() => metrics.Active.Value == 0, TimeSpan.FromSeconds(30), "the export ending");
        Assert.Equal(1, metrics.Cancelled.Value);
        Assert.Equal(0, metrics.Waiting.Value);
        var pages = metrics.Pages.Value - pagesBefore;
        Assert.True(pages <= 3, $"{pages} of 20 pages read after the client left");
        Assert.True(metrics.Bytes.Value - bytesBefore < TotalBytes / 4);
    }

    private const int LargeLines = 20_000;

    private static string LargeLine(int i) => $"line {i:D6} {new string('y', 90)}\n";

    private static long TotalBytes => (long)LargeLines * LargeLine(0).Length;

    /// <summary>A gateway with auth (its own tenant, so its export metrics are its own) and 20,000 lines of ~100 bytes in one stream.</summary>
    private async Task<(HttpClient Http, IAsyncDisposable App, string Tenant, long Now)> PushLargeAsync(string name)
    {
        var app = await TestGateway.StartAsync(fixture.Cluster.Client, GatewayClusterFixture.Ingester, new GatewayOptions { AuthEnabled = true },
            services: s => s.AddSingleton<ITenantLimits>(fixture.Limits));
        var http = app.GetTestClient();
        var tenant = $"{name}-{Guid.NewGuid():n}"[..30];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var values = string.Join(",", Enumerable.Range(0, LargeLines).Select(i => $"[\"{now + i}\",\"{LargeLine(i)[..^1]}\"]"));
        using var push = new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push")
        {
            Content = new StringContent($"{{\"streams\":[{{\"stream\":{{\"job\":\"export-big\"}},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json"),
        };
        push.Headers.Add("X-Scope-OrgID", tenant);
        using var pushed = await http.SendAsync(push);
        Assert.Equal(HttpStatusCode.NoContent, pushed.StatusCode);
        return (http, app, tenant, now);
    }

    private static List<string> Expected(IEnumerable<Corpus.Entry> entries, long start, long end, bool backward) =>
        [.. entries.Where(e => e.TimestampNs >= start && e.TimestampNs < end)
            .Order(Comparer<Corpus.Entry>.Create((a, b) =>
            {
                var c = a.TimestampNs.CompareTo(b.TimestampNs);
                c = backward ? -c : c;
                c = c != 0 ? c : string.CompareOrdinal(a.Labels, b.Labels);
                return c != 0 ? c : string.CompareOrdinal(a.Line, b.Line);
            }))
            .Select(e => $"{e.Pod} {e.TimestampNs.ToString(CultureInfo.InvariantCulture)} {e.Line}")];

    /// <summary>ndjson rows as <c>pod ts line</c>.</summary>
    private static List<string> Rows(string body) =>
        [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var e = doc.RootElement;
            return $"{e.GetProperty("labels").GetProperty("pod").GetString()} {e.GetProperty("timestamp").GetString()} {e.GetProperty("line").GetString()}";
        })];

    private static string Url(string query, long start, long end, string direction, string format = "ndjson") =>
        $"/loki/api/v1/export?query={Uri.EscapeDataString(query)}&start={start}&end={end}&direction={direction}&format={format}";

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient http, string query, long start, long end, string direction, string format = "ndjson", string? tenant = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(query, start, end, direction, format));
        if (tenant is not null)
        {
            request.Headers.Add("X-Scope-OrgID", tenant);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Counts the bytes each request's handler wrote and reports them when the handler has finished.</summary>
    private sealed class RecordBytes(TaskCompletionSource<long> first) : IStartupFilter
    {
        public static TaskCompletionSource<long>? Current { get; set; }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            Current = first;
            app.Use(async (ctx, inner) =>
            {
                var counting = new CountingStream(ctx.Response.Body);
                ctx.Response.Body = counting;
                try
                {
                    await inner(ctx);
                }
                finally
                {
                    Current?.TrySetResult(counting.Count);
                }
            });
            next(app);
        };
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Add(ref Count, count);
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref Count, buffer.Length);
            await inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
