using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Limits.Tests;

/// <summary>
/// Multi-tenant reads (<c>X-Scope-OrgID: iso-alpha|iso-beta</c>) of the explore endpoints and the live tail: both
/// tenants' data, merged; a single tenant still sees only its own.
/// </summary>
public sealed class MultiTenantExploreTests
{
    private const string Both = "iso-alpha|iso-beta";

    [Fact]
    public async Task ExploreEndpoints_WithSeveralTenants_MergeEveryTenantsData()
    {
        await using var server = await LokiServer.StartAsync("auth_enabled: true");
        var now = LokiServer.NowNs;
        await PushBothAsync(server, now);
        var range = $"start={now - 60_000_000_000}&end={now + 60_000_000_000}";
        var shared = Uri.EscapeDataString("{app=\"shared\"}");

        async Task<JsonElement> GetAsync(string url, string tenant = Both)
        {
            var (status, body, _) = await server.SendAsync(HttpMethod.Get, url, tenant: tenant);
            Assert.True(status == HttpStatusCode.OK, $"{url}: {(int)status} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        // index/stats: summed over the tenants; a __tenant_id__ matcher narrows them.
        string Stats(JsonElement s) => $"{s.GetProperty("streams").GetInt64()} {s.GetProperty("entries").GetInt64()}";
        Assert.Equal("2 10", Stats(await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}")));
        Assert.Equal("1 6", Stats(await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}", "iso-alpha")));
        Assert.Equal("1 4", Stats(await GetAsync($"/loki/api/v1/index/stats?query={Uri.EscapeDataString("{app=\"shared\", __tenant_id__=\"iso-beta\"}")}&{range}")));
        var bothBytes = (await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}")).GetProperty("bytes").GetInt64();
        var alphaBytes = (await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}", "iso-alpha")).GetProperty("bytes").GetInt64();
        var betaBytes = (await GetAsync($"/loki/api/v1/index/stats?query={shared}&{range}", "iso-beta")).GetProperty("bytes").GetInt64();
        Assert.Equal(alphaBytes + betaBytes, bothBytes);

        // index/volume: a series per tenant labelled __tenant_id__; usable as a target label; other targets add up.
        static List<string> Metrics(JsonElement response) =>
            [.. response.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(s => string.Join(",", s.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")))
                .Order(StringComparer.Ordinal)];
        static long Value(JsonElement response, int i) =>
            long.Parse(response.GetProperty("data").GetProperty("result")[i].GetProperty("value")[1].GetString()!);
        Assert.Equal(["__tenant_id__=iso-alpha,app=shared", "__tenant_id__=iso-beta,app=shared"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={shared}&{range}")));
        Assert.Equal(["__tenant_id__=iso-alpha", "__tenant_id__=iso-beta"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={shared}&targetLabels=__tenant_id__&{range}")));
        var byTeam = await GetAsync($"/loki/api/v1/index/volume?query={shared}&targetLabels=app&{range}");
        Assert.Equal(["app=shared"], Metrics(byTeam));
        Assert.Equal(bothBytes, Value(byTeam, 0));
        Assert.Equal(["app=shared"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={shared}&{range}", "iso-alpha")));
        Assert.Equal(["__tenant_id__=iso-beta,app=shared"], Metrics(await GetAsync($"/loki/api/v1/index/volume?query={Uri.EscapeDataString("{app=\"shared\", __tenant_id__!=\"iso-alpha\"}")}&{range}")));
        var matrix = await GetAsync($"/loki/api/v1/index/volume_range?query={shared}&step=60&{range}");
        Assert.Equal("matrix", matrix.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal(["__tenant_id__=iso-alpha,app=shared", "__tenant_id__=iso-beta,app=shared"], Metrics(matrix));

        // detected_labels: value sets merged, so the cardinality counts both tenants' values; no __tenant_id__.
        static Dictionary<string, int> Detected(JsonElement response) =>
            response.GetProperty("detectedLabels").EnumerateArray().ToDictionary(l => l.GetProperty("label").GetString()!, l => l.GetProperty("cardinality").GetInt32());
        var detected = Detected(await GetAsync($"/loki/api/v1/detected_labels?query={shared}&{range}"));
        Assert.Equal(2, detected["team"]);
        Assert.Equal(1, detected["app"]);
        Assert.False(detected.ContainsKey("__tenant_id__"));
        Assert.Equal(1, Detected(await GetAsync($"/loki/api/v1/detected_labels?query={shared}&{range}", "iso-alpha"))["team"]);

        // detected_fields and a field's values: lines of both tenants.
        static int Cardinality(JsonElement response, string field) =>
            response.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("label").GetString() == field).GetProperty("cardinality").GetInt32();
        Assert.Equal(2, Cardinality(await GetAsync($"/loki/api/v1/detected_fields?query={shared}&{range}"), "msg"));
        Assert.Equal(1, Cardinality(await GetAsync($"/loki/api/v1/detected_fields?query={shared}&{range}", "iso-beta"), "msg"));
        Assert.Equal(
            ["alpha secret line", "beta secret line"],
            (await GetAsync($"/loki/api/v1/detected_field/msg/values?query={shared}&{range}")).GetProperty("values").EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["alpha secret line"],
            (await GetAsync($"/loki/api/v1/detected_field/msg/values?query={shared}&{range}", "iso-alpha")).GetProperty("values").EnumerateArray().Select(v => v.GetString()));

        // patterns: clustered over both tenants' lines.
        static long PatternCount(JsonElement response) =>
            response.GetProperty("data").EnumerateArray().SelectMany(p => p.GetProperty("samples").EnumerateArray()).Sum(s => s[1].GetInt64());
        Assert.Equal(10, PatternCount(await GetAsync($"/loki/api/v1/patterns?query={shared}&step=60s&{range}")));
        Assert.Equal(6, PatternCount(await GetAsync($"/loki/api/v1/patterns?query={shared}&step=60s&{range}", "iso-alpha")));
        Assert.Equal(4, PatternCount(await GetAsync($"/loki/api/v1/patterns?query={Uri.EscapeDataString("{app=\"shared\", __tenant_id__=~\"iso-b.*\"}")}&step=60s&{range}")));
    }

    [Fact]
    public async Task Tail_WithSeveralTenants_ReplaysAndStreamsEachTenantLabelledWithTenantId()
    {
        await using var server = await LokiServer.StartAsync("auth_enabled: true");
        var now = LokiServer.NowNs;
        await PushBothAsync(server, now);
        var start = now - 60_000_000_000;

        await using var both = await TailSocket.ConnectAsync(server, Both, "{app=\"shared\"}", start);
        await both.WaitForAsync(l => l.Count >= 10, "the replay of both tenants");
        Assert.Equal(6, both.Lines.Count(l => l.Tenant == "iso-alpha" && l.Line.StartsWith("msg=\"alpha", StringComparison.Ordinal)));
        Assert.Equal(4, both.Lines.Count(l => l.Tenant == "iso-beta" && l.Line.StartsWith("msg=\"beta", StringComparison.Ordinal)));

        await using var betaOnly = await TailSocket.ConnectAsync(server, Both, "{app=\"shared\", __tenant_id__=\"iso-beta\"}", start);
        await using var alphaAlone = await TailSocket.ConnectAsync(server, "iso-alpha", "{app=\"shared\"}", start);
        await betaOnly.WaitForAsync(l => l.Count >= 4, "the replay of beta");
        await alphaAlone.WaitForAsync(l => l.Count >= 6, "the replay of alpha");

        // Live entries from each tenant reach the multi-tenant tail, labelled; the others see only their tenant's.
        // Silos learn of a new tail within about a second, so a probe is pushed each round until it arrives.
        foreach (var own in new[] { "alpha", "beta" })
        {
            var round = 0;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!both.Lines.Any(e => e.Line.StartsWith($"live {own}", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no live {own} line reached the tail");
                var (status, body, _) = await server.PushAsync(
                    $"{{\"app\":\"shared\",\"team\":\"{own}\"}}", [(LokiServer.NowNs, $"live {own} {++round}")], "iso-" + own);
                Assert.True(status == HttpStatusCode.NoContent, body);
                await both.WaitForMessageAsync(TimeSpan.FromMilliseconds(300));
            }
        }
        Assert.All(both.Lines.Where(e => e.Line.StartsWith("live ", StringComparison.Ordinal)), e => Assert.Equal("iso-" + e.Line.Split(' ')[1], e.Tenant));
        await betaOnly.WaitForAsync(l => l.Any(e => e.Line.StartsWith("live beta", StringComparison.Ordinal)), "beta's live line");
        await alphaAlone.WaitForAsync(l => l.Any(e => e.Line.StartsWith("live alpha", StringComparison.Ordinal)), "alpha's live line");
        Assert.DoesNotContain(betaOnly.Lines, e => e.Tenant != "iso-beta");
        Assert.DoesNotContain(alphaAlone.Lines, e => e.Line.Contains("beta", StringComparison.Ordinal) || e.Tenant is not null);
    }

    private static async Task PushBothAsync(LokiServer server, long now)
    {
        foreach (var own in new[] { "alpha", "beta" })
        {
            var (status, body, _) = await server.PushAsync(
                $"{{\"app\":\"shared\",\"team\":\"{own}\"}}",
                [.. Enumerable.Range(0, own == "alpha" ? 6 : 4).Select(i => (now + i, $"msg=\"{own} secret line\" n={i}"))],
                "iso-" + own);
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
    }

    /// <summary>A tail websocket whose messages a background loop collects (line and <c>__tenant_id__</c> label).</summary>
    private sealed class TailSocket : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly Lock _gate = new();
        private readonly List<(string Line, string? Tenant)> _lines = [];
        private Task _pump = Task.CompletedTask;

        public List<(string Line, string? Tenant)> Lines
        {
            get { lock (_gate) { return [.. _lines]; } }
        }

        public static async Task<TailSocket> ConnectAsync(LokiServer server, string tenant, string query, long startNs)
        {
            var tail = new TailSocket();
            tail._socket.Options.SetRequestHeader("X-Scope-OrgID", tenant);
            var http = server.Client.BaseAddress!;
            var uri = new Uri($"ws://{http.Host}:{http.Port}/loki/api/v1/tail?query={Uri.EscapeDataString(query)}&start={startNs}");
            await tail._socket.ConnectAsync(uri, CancellationToken.None);
            tail._pump = tail.PumpAsync();
            return tail;
        }

        /// <summary>Polls the collected lines until <paramref name="done"/> holds or the deadline passes.</summary>
        public async Task WaitForAsync(Func<List<(string Line, string? Tenant)>, bool> done, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!done(Lines))
            {
                Assert.True(DateTime.UtcNow < deadline && !_pump.IsCompleted, $"no {what}; received [{string.Join(", ", Lines.Select(l => $"{l.Tenant}:{l.Line}"))}]");
                await Task.WhenAny(_pump, Task.Delay(20));
            }
        }

        /// <summary>Waits up to <paramref name="timeout"/> for one more line (or the connection's end).</summary>
        public async Task WaitForMessageAsync(TimeSpan timeout)
        {
            var before = Lines.Count;
            var deadline = DateTime.UtcNow + timeout;
            while (Lines.Count == before && !_pump.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.WhenAny(_pump, Task.Delay(20));
            }
        }

        private async Task PumpAsync()
        {
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                    {
                        continue;
                    }
                    using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray()));
                    message.SetLength(0);
                    lock (_gate)
                    {
                        foreach (var stream in doc.RootElement.GetProperty("streams").EnumerateArray())
                        {
                            var labels = stream.GetProperty("stream");
                            var tenant = labels.TryGetProperty("__tenant_id__", out var t) ? t.GetString() : null;
                            foreach (var value in stream.GetProperty("values").EnumerateArray())
                            {
                                _lines.Add((value[1].GetString()!, tenant));
                            }
                        }
                    }
                }
            }
            catch (WebSocketException)
            {
                // The server went away: the waits report what arrived.
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            }
            await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
            _socket.Dispose();
        }
    }
}
