using System.Globalization;
using System.Net;
using System.Text.Json;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>One server with lines n=0..5 ten seconds apart, a minute's gap, then n=12.</summary>
public sealed class QueryParamsFixture : IAsyncLifetime
{
    public const long S = 1_000_000_000;

    public LokiTestServer Server { get; private set; } = null!;

    /// <summary>The time of n=0: a whole second, ten minutes ago.</summary>
    public long BaseNs { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await LokiTestServer.StartAsync();
        BaseNs = (TestClock.NowNs / S * S) - (600 * S);
        await Server.PushOkAsync("{\"app\":\"params\"}", [.. new[] { 0, 1, 2, 3, 4, 5, 12 }.Select(n => (BaseNs + (n * 10 * S), $"n={n}"))]);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The query API's parameters as Loki's pkg/loghttp parses them, through HTTP: every time form (RFC3339, RFC3339Nano,
/// offsets, unix seconds, float seconds rounded to milliseconds, nanoseconds and the 10-character rule), step as float
/// seconds or a duration, interval, limit, direction, and the 400 texts of each.
/// </summary>
public sealed class QueryParamsTests(QueryParamsFixture fixture) : IClassFixture<QueryParamsFixture>
{
    private const long S = QueryParamsFixture.S;
    private const string Logs = "{app=\"params\"}";
    private const string Counts = "count_over_time({app=\"params\"}[10s])";

    private LokiTestServer Server => fixture.Server;
    private long Base => fixture.BaseNs;

    /// <summary><paramref name="ns"/> written in one of the forms Loki reads.</summary>
    private static string Form(string form, long ns)
    {
        var seconds = Math.DivRem(ns, S, out var nanos);
        var utc = DateTime.UnixEpoch.AddSeconds(seconds);
        return form switch
        {
            "rfc3339" => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "rfc3339nano" => utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + nanos.ToString("D9", CultureInfo.InvariantCulture) + "Z",
            "rfc3339comma" => utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "," + nanos.ToString("D9", CultureInfo.InvariantCulture) + "Z",
            "offset" => utc.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+02:00",
            "seconds" => seconds.ToString(CultureInfo.InvariantCulture),
            "nanos" => ns.ToString(CultureInfo.InvariantCulture),
            // Float seconds: Loki keeps milliseconds, rounded half away from zero.
            "float" => (seconds + (nanos / 1e9)).ToString("0.0###", CultureInfo.InvariantCulture),
            "float4" => seconds.ToString(CultureInfo.InvariantCulture) + "." + (nanos / 100_000).ToString("D4", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(form)),
        };
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string query, params (string Name, string Value)[] parameters)
    {
        var url = $"{path}?query={Uri.EscapeDataString(query)}" + string.Concat(parameters.Select(p => $"&{p.Name}={Uri.EscapeDataString(p.Value)}"));
        var (status, body, response) = await Server.SendAsync(HttpMethod.Get, url);
        response.Dispose();
        return (status, body);
    }

    private async Task<int[]> LinesAsync(params (string Name, string Value)[] parameters)
    {
        var (status, body) = await GetAsync("/loki/api/v1/query_range", Logs, parameters);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v => int.Parse(v[1].GetString()!["n=".Length..], CultureInfo.InvariantCulture)))];
    }

    /// <summary>A matrix as "offset-seconds=value" per point (offsets from the base), all series together.</summary>
    private async Task<string[]> PointsAsync(string query, params (string Name, string Value)[] parameters)
    {
        var (status, body) = await GetAsync("/loki/api/v1/query_range", query, parameters);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("matrix", doc.RootElement.GetProperty("data").GetProperty("resultType").GetString());
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray().Select(v =>
                $"{(decimal.Parse(v[0].GetRawText(), CultureInfo.InvariantCulture) - (Base / S))}={v[1].GetString()}"))];
    }

    [Theory]
    [InlineData("rfc3339", 0, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("rfc3339nano", 0, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("rfc3339nano", 1, new[] { 1, 2, 3, 4 })]
    [InlineData("rfc3339comma", 1, new[] { 1, 2, 3, 4 })]
    [InlineData("offset", 0, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("seconds", 0, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("nanos", 0, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("nanos", 1, new[] { 1, 2, 3, 4 })]
    [InlineData("float", 0, new[] { 0, 1, 2, 3, 4 })]
    // 0.4 ms rounds down to the second (n=0 is in), 0.6 ms up to 1 ms (n=0 is out).
    [InlineData("float4", 400_000, new[] { 0, 1, 2, 3, 4 })]
    [InlineData("float4", 600_000, new[] { 1, 2, 3, 4 })]
    public async Task Start_in_every_form_loki_reads(string form, long offsetNs, int[] expected)
    {
        Assert.Equal(expected, await LinesAsync(("start", Form(form, Base + offsetNs)), ("end", Form("nanos", Base + (45 * S))), ("direction", "forward")));
    }

    [Fact]
    public async Task An_integer_of_more_than_ten_characters_is_nanoseconds_a_sign_included()
    {
        // "+1764..." has 11 characters: nanoseconds since 1970, so the range is decades long and over max_query_length.
        var (status, body) = await GetAsync("/loki/api/v1/query_range", Logs, ("start", "+" + (Base / S).ToString(CultureInfo.InvariantCulture)), ("end", Form("seconds", Base + (45 * S))));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("the query time range exceeds the limit", body, StringComparison.Ordinal);
        // Ten characters or fewer are seconds.
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, await LinesAsync(("start", Form("seconds", Base)), ("end", Form("seconds", Base + (45 * S))), ("direction", "forward")));
    }

    [Theory]
    [InlineData("start", "yesterday", "could not parse 'start' parameter: strconv.ParseInt: parsing \"yesterday\": invalid syntax")]
    [InlineData("end", "2026-13-01T00:00:00Z", "could not parse 'end' parameter: strconv.ParseInt: parsing \"2026-13-01T00:00:00Z\": invalid syntax")]
    [InlineData("end", "2026-01-01T00:00:00", "could not parse 'end' parameter: strconv.ParseInt: parsing \"2026-01-01T00:00:00\": invalid syntax")]
    [InlineData("start", "99999999999999999999", "could not parse 'start' parameter: strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    [InlineData("start", "1.2.3", "could not parse 'start' parameter: strconv.ParseInt: parsing \"1.2.3\": invalid syntax")]
    [InlineData("since", "2x", "could not parse 'since' parameter: not a valid duration string: \"2x\"")]
    [InlineData("step", "0", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("step", "-1", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("step", "0.0000000001", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("step", "NaN", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("step", "abc", "cannot parse \"abc\" to a valid duration")]
    [InlineData("step", "1e300", "cannot parse \"1e300\" to a valid duration. It overflows int64")]
    [InlineData("step", "0.01", "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter")]
    [InlineData("limit", "0", "limit must be a positive value")]
    [InlineData("limit", "-5", "limit must be a positive value")]
    [InlineData("limit", "ten", "strconv.Atoi: parsing \"ten\": invalid syntax")]
    [InlineData("limit", "5000000000", "limit value 5000000000 is out of range [0, 4294967295]")]
    [InlineData("direction", "sideways", "invalid direction 'sideways'")]
    [InlineData("interval", "-1", "interval must be >= 0")]
    // Prometheus durations have no sign.
    [InlineData("interval", "-1s", "cannot parse \"-1s\" to a valid duration")]
    [InlineData("interval", "soon", "cannot parse \"soon\" to a valid duration")]
    public async Task Query_range_refuses_bad_parameters_with_lokis_text(string name, string value, string text)
    {
        var parameters = new List<(string, string)> { ("start", Form("seconds", Base)), ("end", Form("seconds", Base + (200 * S))) };
        parameters.RemoveAll(p => p.Item1 == name || (name == "since" && p.Item1 == "start"));
        parameters.Add((name, value));
        var (status, body) = await GetAsync("/loki/api/v1/query_range", Logs, [.. parameters]);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(text, body.Trim());
    }

    [Fact]
    public async Task End_before_start_is_refused()
    {
        var (status, body) = await GetAsync("/loki/api/v1/query_range", Logs, ("start", Form("seconds", Base + S)), ("end", Form("seconds", Base)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("end timestamp must not be before or equal to start time", body.Trim());
    }

    [Theory]
    [InlineData("time", "abc", "strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData("limit", "0", "limit must be a positive value")]
    [InlineData("direction", "up", "invalid direction 'up'")]
    public async Task Instant_query_refuses_bad_parameters_with_lokis_text(string name, string value, string text)
    {
        var (status, body) = await GetAsync("/loki/api/v1/query", Counts, (name, value));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(text, body.Trim());
    }

    [Theory]
    [InlineData("forward", new[] { 0, 1, 2, 3, 4 })]
    [InlineData("FORWARD", new[] { 0, 1, 2, 3, 4 })]
    [InlineData("Forward", new[] { 0, 1, 2, 3, 4 })]
    [InlineData("backward", new[] { 4, 3, 2, 1, 0 })]
    [InlineData("BACKWARD", new[] { 4, 3, 2, 1, 0 })]
    [InlineData("", new[] { 4, 3, 2, 1, 0 })]
    public async Task Direction_is_case_insensitive_and_backward_by_default(string direction, int[] expected)
    {
        Assert.Equal(expected, await LinesAsync(("start", Form("nanos", Base)), ("end", Form("nanos", Base + (45 * S))), ("direction", direction)));
    }

    [Theory]
    // limit keeps the newest lines backward, the oldest forward.
    [InlineData("2", "backward", "", new[] { 4, 3 })]
    [InlineData("2", "forward", "", new[] { 0, 1 })]
    // interval: at most one line per interval, counted from the first line returned.
    [InlineData("100", "forward", "20s", new[] { 0, 2, 4 })]
    [InlineData("100", "forward", "20", new[] { 0, 2, 4 })]
    public async Task Limit_and_interval_select_lines(string limit, string direction, string interval, int[] expected)
    {
        Assert.Equal(expected, await LinesAsync(("start", Form("nanos", Base)), ("end", Form("nanos", Base + (45 * S))),
            ("limit", limit), ("direction", direction), ("interval", interval)));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("10.0")]
    [InlineData("10s")]
    [InlineData("10000ms")]
    [InlineData("1e1")]
    public async Task Step_is_float_seconds_or_a_duration_and_steps_without_samples_are_absent(string step)
    {
        // Steps at 0, 10, ..., 150 s; the [10s] windows over the minute's gap (60, 120) hold nothing and are absent.
        Assert.Equal(["0=1", "10=1", "20=1", "30=1", "40=1", "50=1", "120=1"],
            await PointsAsync(Counts, ("start", Form("seconds", Base)), ("end", Form("seconds", Base + (150 * S))), ("step", step)));
    }

    [Fact]
    public async Task Metric_range_query_with_start_equal_to_end_answers_one_point()
    {
        var at = Form("nanos", Base + (30 * S));
        Assert.Equal(["30=1"], await PointsAsync(Counts, ("start", at), ("end", at), ("step", "10s")));
        Assert.Equal(["30=3"], await PointsAsync("count_over_time({app=\"params\"}[25s])", ("start", at), ("end", at)));
    }

    [Fact]
    public async Task Post_form_parameters_bind_as_the_query_string()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = Logs,
            ["start"] = Form("rfc3339", Base),
            ["end"] = Form("rfc3339", Base + (45 * S)),
            ["direction"] = "Forward",
            ["limit"] = "3",
        });
        var (status, body, response) = await Server.SendAsync(HttpMethod.Post, "/loki/api/v1/query_range", content);
        response.Dispose();
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(["n=0", "n=1", "n=2"], doc.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray().Select(v => v[1].GetString()));
    }

    [Theory]
    [InlineData("/loki/api/v1/labels", "start", "x", "could not parse 'start' parameter: strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("/loki/api/v1/label/app/values", "end", "x", "could not parse 'end' parameter: strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("/loki/api/v1/series", "since", "x", "could not parse 'since' parameter: not a valid duration string: \"x\"")]
    [InlineData("/loki/api/v1/index/stats", "step", "0", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("/loki/api/v1/index/stats", "direction", "x", "invalid direction 'x'")]
    [InlineData("/loki/api/v1/index/volume", "time", "x", "strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("/loki/api/v1/index/volume_range", "limit", "x", "strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("/loki/api/v1/patterns", "step", "-1", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("/loki/api/v1/detected_fields", "line_limit", "x", "strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("/loki/api/v1/detected_labels", "start", "2026-02-30T00:00:00Z", "could not parse 'start' parameter: strconv.ParseInt: parsing \"2026-02-30T00:00:00Z\": invalid syntax")]
    [InlineData("/loki/api/v1/index/shards", "targetBytesPerShard", "", "targetBytesPerShard must be a positive value")]
    [InlineData("/loki/api/v1/index/shards", "targetBytesPerShard", "0MB", "targetBytesPerShard must be a positive value")]
    [InlineData("/loki/api/v1/index/shards", "targetBytesPerShard", "lots", "targetBytesPerShard must be a positive value")]
    [InlineData("/api/prom/query", "direction", "x", "invalid direction 'x'")]
    [InlineData("/api/prom/label", "end", "x", "could not parse 'end' parameter: strconv.ParseInt: parsing \"x\": invalid syntax")]
    public async Task Every_read_endpoint_binds_parameters_alike(string path, string name, string value, string text)
    {
        var (status, body) = await GetAsync(path, Logs, (name, value));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(text, body.Trim());
    }

    [Fact]
    public async Task Volume_limit_zero_is_the_default_and_query_limit_zero_is_refused()
    {
        var (status, body) = await GetAsync("/loki/api/v1/index/volume", Logs, ("limit", "0"), ("start", Form("seconds", Base)), ("end", Form("seconds", Base + (200 * S))));
        Assert.True(status == HttpStatusCode.OK, body);
        (status, body) = await GetAsync("/loki/api/v1/query", Counts, ("limit", "0"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("limit must be a positive value", body.Trim());
    }
}
