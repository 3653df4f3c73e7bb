using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>One server for the hostile-input tests; each case writes to its own tenant so "nothing stored" is checkable.</summary>
public sealed class HostileServerFixture : IAsyncLifetime
{
    public LokiTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LokiTestServer.StartAsync("""
        auth_enabled: true
        distributor:
          max_recv_msg_size: 16MB
          max_decompressed_size: 16MB
        limits_config:
          max_global_streams_per_user: 100
        """);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Hostile pushes and queries: a clear 4xx, nothing stored half-way, and the process keeps serving.</summary>
public sealed class HostileInputTests(HostileServerFixture fixture) : IClassFixture<HostileServerFixture>
{
    private LokiTestServer Server => fixture.Server;

    private static ByteArrayContent Body(byte[] bytes, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }
        return content;
    }

    private static byte[] Compress(byte[] data, bool gzip)
    {
        using var output = new MemoryStream();
        using (Stream compressor = gzip ? new GZipStream(output, CompressionLevel.Fastest) : new DeflateStream(output, CompressionLevel.Fastest))
        {
            compressor.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] ZerosCompressed(long count, bool gzip)
    {
        using var output = new MemoryStream();
        using (Stream compressor = gzip ? new GZipStream(output, CompressionLevel.Fastest) : new DeflateStream(output, CompressionLevel.Fastest))
        {
            var block = new byte[1 << 20];
            for (long written = 0; written < count; written += block.Length)
            {
                compressor.Write(block);
            }
        }
        return output.ToArray();
    }

    public static TheoryData<string, Func<HttpContent>, HttpStatusCode, string> BadPushes()
    {
        var garbage = Encoding.ASCII.GetBytes("this is not a protobuf message at all \u0001\u0002\u0003");
        var validJson = Encoding.UTF8.GetBytes($"{{\"streams\":[{{\"stream\":{{\"app\":\"h\"}},\"values\":[[\"{TestClock.NowNs}\",\"line\"]]}}]}}");
        return new()
        {
            { "garbage-protobuf", () => Body(Snappier.Snappy.CompressToArray(garbage), "application/x-protobuf"), HttpStatusCode.BadRequest, "" },
            { "truncated-snappy", () => Body(Snappier.Snappy.CompressToArray(garbage)[..^5], "application/x-protobuf"), HttpStatusCode.BadRequest, "" },
            // Snappy's preamble claims 2 GiB but the body carries a few bytes.
            { "snappy-lies-large", () => Body([0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x08, (byte)'a', (byte)'b', (byte)'c'], "application/x-protobuf"), HttpStatusCode.RequestEntityTooLarge, "request body too large: decompressed message size too large than max" },
            { "truncated-protobuf", () => Body(Snappier.Snappy.CompressToArray(ValidProtobufPush()[..^4]), "application/x-protobuf"), HttpStatusCode.BadRequest, "" },
            { "body-over-max-recv-msg-size", () => Body(new byte[17 << 20], "application/json"), HttpStatusCode.RequestEntityTooLarge, "request body too large: message size too large than max (" },
            { "snappy-lies-small", () => Body([0x02, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d'], "application/x-protobuf"), HttpStatusCode.BadRequest, "" },
            { "gzip-bomb", () => Body(ZerosCompressed(32L << 20, gzip: true), "application/json", "gzip"), HttpStatusCode.RequestEntityTooLarge, "request body too large: decompressed message size too large than max" },
            { "deflate-bomb", () => Body(ZerosCompressed(32L << 20, gzip: false), "application/json", "deflate"), HttpStatusCode.RequestEntityTooLarge, "request body too large: decompressed message size too large than max" },
            { "truncated-gzip", () => Body(Compress(validJson, gzip: true)[..^12], "application/json", "gzip"), HttpStatusCode.BadRequest, "" },
            { "deeply-nested-json", () => Body(Encoding.ASCII.GetBytes("{\"streams\":[{\"stream\":{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}}]}"), "application/json"), HttpStatusCode.BadRequest, "" },
            { "truncated-json", () => Body(validJson[..^7], "application/json"), HttpStatusCode.BadRequest, "" },
            { "nan-timestamp", () => Body(Encoding.ASCII.GetBytes("{\"streams\":[{\"stream\":{\"app\":\"h\"},\"values\":[[\"NaN\",\"line\"]]}]}"), "application/json"), HttpStatusCode.BadRequest, "" },
            { "negative-timestamp", () => Body(Encoding.ASCII.GetBytes("{\"streams\":[{\"stream\":{\"app\":\"h\"},\"values\":[[\"-5\",\"line\"]]}]}"), "application/json"), HttpStatusCode.BadRequest, "" },
            { "overflowing-timestamp", () => Body(Encoding.ASCII.GetBytes("{\"streams\":[{\"stream\":{\"app\":\"h\"},\"values\":[[\"99999999999999999999999\",\"line\"]]}]}"), "application/json"), HttpStatusCode.BadRequest, "" },
            { "invalid-utf8-label", () => Body([.. "{\"streams\":[{\"stream\":{\"app\":\""u8, 0xFF, 0xFE, .. "\"},\"values\":[[\"1\",\"line\"]]}]}"u8], "application/json"), HttpStatusCode.BadRequest, "" },
            { "no-streams", () => Body(Encoding.ASCII.GetBytes("{\"streams\":[]}"), "application/json"), HttpStatusCode.UnprocessableEntity, "error at least one valid stream is required for ingestion" },
        };
    }

    /// <summary>A hand-encoded <c>logproto.PushRequest</c> with one stream <c>{app="pb"}</c> and one entry.</summary>
    private static byte[] ValidProtobufPush()
    {
        static byte[] Field(int number, byte[] payload) => [(byte)((number << 3) | 2), (byte)payload.Length, .. payload];
        var seconds = TestClock.NowNs / 1_000_000_000;
        var timestamp = new List<byte> { 0x08 };
        for (var v = (ulong)seconds; ; v >>= 7)
        {
            timestamp.Add((byte)(v < 0x80 ? v : (v & 0x7F) | 0x80));
            if (v < 0x80)
            {
                break;
            }
        }
        var entry = Field(1, [.. timestamp]).Concat(Field(2, "protobuf line"u8.ToArray())).ToArray();
        var stream = Field(1, "{app=\"pb\"}"u8.ToArray()).Concat(Field(2, entry)).ToArray();
        return Field(1, stream);
    }

    [Fact]
    public async Task ValidProtobufPush_IsStored_SoItsTruncationIsAFairTest()
    {
        var now = TestClock.NowNs;
        var (status, text, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", Body(Snappier.Snappy.CompressToArray(ValidProtobufPush()), "application/x-protobuf"), "hostile-pb");
        Assert.True(status == HttpStatusCode.NoContent, text);
        Assert.Equal(["protobuf line"], await Server.QueryLinesAsync("{app=\"pb\"}", now - 60_000_000_000, now + 60_000_000_000, "hostile-pb"));
    }

    [Theory]
    [MemberData(nameof(BadPushes))]
    public async Task BadPush_IsAClear4xx_AndStoresNothing(string name, Func<HttpContent> body, HttpStatusCode expected, string bodyPrefix)
    {
        var tenant = "hostile-" + name;
        var (status, text, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", body(), tenant);
        Assert.True(status == expected, $"{name}: {(int)status} {text}");
        Assert.StartsWith(bodyPrefix, text);
        Assert.False(string.IsNullOrWhiteSpace(text), $"{name}: the error must say what is wrong");

        var (labels, labelsBody, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: tenant);
        Assert.Equal(HttpStatusCode.OK, labels);
        Assert.Equal("{\"status\":\"success\",\"data\":[]}", labelsBody);
        Assert.Equal(HttpStatusCode.OK, (await Server.SendAsync(HttpMethod.Get, "/ready")).Status);
    }

    [Theory]
    [InlineData("bad/tenant", "tenant ID 'bad/tenant' contains unsupported character '/'")]
    [InlineData("..", "tenant ID is '.' or '..'")]
    [InlineData("ok|bad tenant", "tenant ID 'bad tenant' contains unsupported character ' '")]
    public async Task InvalidOrgId_Is400WithLokisText_OnPushAndQuery(string tenant, string expected)
    {
        var (push, pushBody, _) = await Server.PushAsync("{\"app\":\"t\"}", [(TestClock.NowNs, "x")], tenant);
        Assert.Equal(HttpStatusCode.BadRequest, push);
        Assert.Equal(expected, pushBody);
        var (labels, labelsBody, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: tenant);
        Assert.Equal(HttpStatusCode.BadRequest, labels);
        Assert.Equal(expected, labelsBody);
    }

    [Fact]
    public async Task InvalidUtf8InALine_IsStoredWithReplacementCharacters()
    {
        var now = TestClock.NowNs;
        byte[] json = [.. Encoding.ASCII.GetBytes($"{{\"streams\":[{{\"stream\":{{\"app\":\"u\"}},\"values\":[[\"{now}\",\"a"), 0xFF, .. "b\"]]}]}"u8];
        var (status, text, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", Body(json, "application/json"), "hostile-utf8-line");
        Assert.True(status == HttpStatusCode.NoContent, text);
        Assert.Equal(["a\uFFFDb"], await Server.QueryLinesAsync("{app=\"u\"}", now - 1_000_000_000, now + 1_000_000_000, "hostile-utf8-line"));
    }

    [Fact]
    public async Task DuplicateStreamsAndQuotesOrNewlinesInLabelValues_AreStoredOnceAndRoundTrip()
    {
        var now = TestClock.NowNs;
        var json = $$"""
            {"streams":[
              {"stream":{"app":"dup","odd":"say \"hi\"\nbye"},"values":[["{{now}}","first"]]},
              {"stream":{"odd":"say \"hi\"\nbye","app":"dup"},"values":[["{{now + 1}}","second"]]}
            ]}
            """;
        const string tenant = "hostile-dup";
        var (status, text, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", Body(Encoding.UTF8.GetBytes(json), "application/json"), tenant);
        Assert.True(status == HttpStatusCode.NoContent, text);
        Assert.Equal(["first", "second"], await Server.QueryLinesAsync("{odd=\"say \\\"hi\\\"\\nbye\"}", now - 1_000_000_000, now + 1_000_000_000, tenant));
        var (_, values, _) = await Server.SendAsync(HttpMethod.Get, $"/loki/api/v1/label/odd/values?start={now - 1_000_000_000}&end={now + 1_000_000_000}", tenant: tenant);
        Assert.Equal("{\"status\":\"success\",\"data\":[\"say \\\"hi\\\"\\nbye\"]}", values);
    }

    [Fact]
    public async Task HundredThousandStreamsInOneRequest_KeepsTheStreamLimit_AndTheServerServing()
    {
        var now = TestClock.NowNs;
        var json = new StringBuilder("{\"streams\":[");
        for (var i = 0; i < 100_000; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"stream\":{\"app\":\"many\",\"i\":\"").Append(i).Append("\"},\"values\":[[\"").Append(now).Append("\",\"x\"]]}");
        }
        json.Append("]}");
        const string tenant = "hostile-many";
        var (status, text, _) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/push", Body(Encoding.UTF8.GetBytes(json.ToString()), "application/json"), tenant);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.StartsWith("Maximum active stream limit exceeded when trying to create stream {app=\"many\", i=", text);
        Assert.EndsWith("and 99890 more streams refused for the same reason", text);
        Assert.Equal(11, text.Split('\n').Length);

        var (_, series, _) = await Server.SendAsync(HttpMethod.Get, $"/loki/api/v1/series?match[]={Uri.EscapeDataString("{app=\"many\"}")}&start={now - 1_000_000_000}&end={now + 1_000_000_000}", tenant: tenant);
        Assert.Equal(100, System.Text.Json.JsonDocument.Parse(series).RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await Server.SendAsync(HttpMethod.Get, "/ready")).Status);
    }

    public static TheoryData<string, string, HttpStatusCode> HostileQueries()
    {
        var now = TestClock.NowNs;
        string Range(string q, string extra = "") => $"/loki/api/v1/query_range?query={Uri.EscapeDataString(q)}&start={now - 3_600_000_000_000}&end={now}{extra}";
        return new()
        {
            { "catastrophic-regex", Range("{app=\"evil\"} |~ \"(a+)+$\""), HttpStatusCode.OK },
            { "catastrophic-regex-label", Range("{app=~\"(a|a)*(a|a)*(a|a)*b\"}"), HttpStatusCode.OK },
            { "template-repeat", Range("{app=\"evil\"} | line_format \"{{ repeat 1000000000 .app }}\""), HttpStatusCode.OK },
            { "huge-limit", Range("{app=\"evil\"}", "&limit=1000000000"), HttpStatusCode.BadRequest },
            { "tiny-step", Range("count_over_time({app=\"evil\"}[1m])", "&step=1ms"), HttpStatusCode.BadRequest },
            { "huge-range", $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"evil\"}")}&start=0&end={now}", HttpStatusCode.BadRequest },
            { "huge-step", Range("count_over_time({app=\"evil\"}[1m])", "&step=1e300"), HttpStatusCode.BadRequest },
            { "garbage-logql", Range("{app=\"evil\"} |= ((((\"x\""), HttpStatusCode.BadRequest },
            { "deep-nesting", Range(new string('(', 5000) + "vector(1)" + new string(')', 5000)), HttpStatusCode.BadRequest },
        };
    }

    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task HostileQuery_IsBounded_AndNever5xx(string name, string url, HttpStatusCode expected)
    {
        const string tenant = "hostile-query";
        var now = TestClock.NowNs;
        var (push, pushBody, _) = await Server.PushAsync("{\"app\":\"evil\"}", [(now - 1000, new string('a', 5000) + "!")], tenant);
        Assert.True(push == HttpStatusCode.NoContent, pushBody);

        // POST form, as clients send long queries (a URL this long would be refused by the HTTP server itself).
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var form = new StringContent(url[(question + 1)..], Encoding.ASCII, "application/x-www-form-urlencoded");
        var (status, body, _) = await Server.SendAsync(HttpMethod.Post, url[..question], form, tenant);
        Assert.True(status == expected, $"{name}: {(int)status} {body}");
        Assert.Equal(HttpStatusCode.OK, (await Server.SendAsync(HttpMethod.Get, "/ready")).Status);
    }
}
