using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>index/stats, index/volume(_range), detected_*, patterns over the real binary: Loki's shapes, 400 texts, tenant isolation.</summary>
public sealed class ExploreEndpointsTests(ExploreFixture f) : IClassFixture<ExploreFixture>
{
    private const string A = ExploreFixture.TenantA;
    private const string B = ExploreFixture.TenantB;

    /// <summary>What the chunk format counts as a line's bytes: the line and its structured metadata (here detected_level).</summary>
    private static long Bytes(IEnumerable<string> lines, string level) =>
        lines.Sum(l => Encoding.UTF8.GetByteCount(l) + "detected_level".Length + level.Length);

    private static (long Streams, long Chunks, long Bytes, long Entries) Stats(JsonElement e) =>
        (e.GetProperty("streams").GetInt64(), e.GetProperty("chunks").GetInt64(), e.GetProperty("bytes").GetInt64(), e.GetProperty("entries").GetInt64());

    [Fact]
    public async Task IndexStats_CountsEachTenantsOwnData_BeforeAndAfterFlush()
    {
        var apiBytes = Bytes(f.ApiLines, "info");
        var webBytes = Bytes(f.WebLines, "error");
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal((1L, 1L, apiBytes, 10L), Stats(await f.GetJsonAsync(A, "/loki/api/v1/index/stats", ("query", "{app=\"api\"}"))));
            Assert.Equal((2L, 2L, apiBytes + webBytes, 15L), Stats(await f.GetJsonAsync(A, "/loki/api/v1/index/stats", ("query", "{env=~\".+\"}"))));
            Assert.Equal((1L, 1L, Bytes(f.SecretLines, "unknown"), 3L), Stats(await f.GetJsonAsync(B, "/loki/api/v1/index/stats", ("query", "{app=\"api\"}"))));
            Assert.Equal((0L, 0L, 0L, 0L), Stats(await f.GetJsonAsync(A, "/loki/api/v1/index/stats", ("query", "{team=\"b\"}"))));

            // The same numbers from the index once the chunks are flushed.
            using var flush = await f.Loki.Client.PostAsync("/flush", null);
            Assert.Equal(HttpStatusCode.NoContent, flush.StatusCode);
        }
    }

    [Fact]
    public async Task Volume_IsAVectorOfBytesPerMatchedSeries_LargestFirst_AndPerTenant()
    {
        var data = (await f.GetJsonAsync(A, "/loki/api/v1/index/volume", ("query", "{env=~\".+\"}"))).GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var result = data.GetProperty("result").EnumerateArray()
            .Select(r => (r.GetProperty("metric").GetRawText(), r.GetProperty("value")[1].GetString())).ToList();
        Assert.Equal(
            [("{\"env\":\"prod\"}", Bytes(f.ApiLines, "info").ToString()), ("{\"env\":\"dev\"}", Bytes(f.WebLines, "error").ToString())],
            result);
        var ts = data.GetProperty("result")[0].GetProperty("value")[0].GetDouble();
        Assert.Equal((f.EndNs / 1_000_000) / 1000.0, ts, 3);

        var byTarget = (await f.GetJsonAsync(A, "/loki/api/v1/index/volume", ("query", "{env=~\".+\"}"), ("targetLabels", "app")))
            .GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.GetProperty("metric").GetRawText());
        Assert.Equal(["{\"app\":\"api\"}", "{\"app\":\"web\"}"], byTarget);

        var byLabels = (await f.GetJsonAsync(A, "/loki/api/v1/index/volume", ("query", "{app=\"api\"}"), ("aggregateBy", "labels")))
            .GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.GetProperty("metric").GetRawText()).Order();
        Assert.Contains("{\"app\":\"\"}", byLabels);
        Assert.Contains("{\"env\":\"\"}", byLabels);

        var limited = (await f.GetJsonAsync(A, "/loki/api/v1/index/volume", ("query", "{env=~\".+\"}"), ("limit", "1")))
            .GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.GetProperty("metric").GetRawText());
        Assert.Equal(["{\"env\":\"prod\"}"], limited);

        var other = (await f.GetJsonAsync(B, "/loki/api/v1/index/volume", ("query", "{env=~\".+\"}")))
            .GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (r.GetProperty("metric").GetRawText(), r.GetProperty("value")[1].GetString()));
        Assert.Equal([("{\"env\":\"prod\"}", Bytes(f.SecretLines, "unknown").ToString())], other);
    }

    [Fact]
    public async Task VolumeRange_IsAMatrix_WhoseBucketsAddUpToTheVolume()
    {
        var data = (await f.GetJsonAsync(A, "/loki/api/v1/index/volume_range", ("query", "{app=\"api\"}"), ("step", "5s"))).GetProperty("data");
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        var series = Assert.Single(data.GetProperty("result").EnumerateArray());
        Assert.Equal("{\"app\":\"api\"}", series.GetProperty("metric").GetRawText());
        var values = series.GetProperty("values").EnumerateArray().ToList();
        Assert.True(values.Count > 1, $"expected several buckets, got {values.Count}");
        var total = values.Sum(v => long.Parse(v[1].GetString()!));
        Assert.InRange(total, Bytes(f.ApiLines, "info") - values.Count, Bytes(f.ApiLines, "info") + values.Count);
        Assert.Equal(values.Select(v => v[0].GetDouble()).Order(), values.Select(v => v[0].GetDouble()));
    }

    [Fact]
    public async Task DetectedLabels_ListStreamLabelsWithCardinality_PerTenant()
    {
        var a = await f.GetJsonAsync(A, "/loki/api/v1/detected_labels");
        var labelsA = a.GetProperty("detectedLabels").EnumerateArray()
            .ToDictionary(l => l.GetProperty("label").GetString()!, l => l.GetProperty("cardinality").GetInt64());
        Assert.Equal(2, labelsA["app"]);
        Assert.Equal(2, labelsA["env"]);
        Assert.False(labelsA.ContainsKey("team"));

        var filtered = await f.GetJsonAsync(A, "/loki/api/v1/detected_labels", ("query", "{app=\"api\"}"));
        Assert.Contains(filtered.GetProperty("detectedLabels").EnumerateArray(), l => l.GetProperty("label").GetString() == "env" && l.GetProperty("cardinality").GetInt64() == 1);

        var b = await f.GetJsonAsync(B, "/loki/api/v1/detected_labels");
        var labelsB = b.GetProperty("detectedLabels").EnumerateArray().Select(l => l.GetProperty("label").GetString()).ToList();
        Assert.Contains("team", labelsB);
    }

    [Fact]
    public async Task DetectedFields_FromLogfmtJsonAndMetadata_WithValues_PerTenant()
    {
        var api = await f.GetJsonAsync(A, "/loki/api/v1/detected_fields", ("query", "{app=\"api\"}"));
        var fields = api.GetProperty("fields").EnumerateArray().ToDictionary(
            x => x.GetProperty("label").GetString()!,
            x => (x.GetProperty("type").GetString(), x.GetProperty("cardinality").GetInt64(), x.GetProperty("parsers").GetRawText()));
        Assert.Equal(("int", 3L, "[\"logfmt\"]"), fields["status"]);
        Assert.Equal(("duration", 10L, "[\"logfmt\"]"), fields["duration"]);
        Assert.Equal(("string", 1L, "[\"logfmt\"]"), fields["msg"]);
        Assert.Equal(("string", 1L, "null"), fields["detected_level"]);
        Assert.Equal(1000, api.GetProperty("limit").GetInt32());

        var web = await f.GetJsonAsync(A, "/loki/api/v1/detected_fields", ("query", "{app=\"web\"}"));
        var user = Assert.Single(web.GetProperty("fields").EnumerateArray(), x => x.GetProperty("label").GetString() == "user_id");
        Assert.Equal("[\"json\"]", user.GetProperty("parsers").GetRawText());
        Assert.Equal("[\"user\",\"id\"]", user.GetProperty("jsonPath").GetRawText());

        var values = await f.GetJsonAsync(A, "/loki/api/v1/detected_field/status/values", ("query", "{app=\"api\"}"));
        Assert.Equal("[\"200\",\"404\",\"500\"]", values.GetProperty("values").GetRawText());

        var limitedLines = await f.GetJsonAsync(A, "/loki/api/v1/detected_fields", ("query", "{app=\"api\"}"), ("line_limit", "2"));
        var durations = Assert.Single(limitedLines.GetProperty("fields").EnumerateArray(), x => x.GetProperty("label").GetString() == "duration");
        Assert.Equal(2, durations.GetProperty("cardinality").GetInt64());

        var other = await f.GetJsonAsync(B, "/loki/api/v1/detected_fields", ("query", "{app=\"api\"}"));
        Assert.DoesNotContain(other.GetProperty("fields").EnumerateArray(), x => x.GetProperty("label").GetString() == "status");
        Assert.Equal("{}", (await f.GetJsonAsync(B, "/loki/api/v1/detected_field/status/values", ("query", "{app=\"api\"}"))).GetRawText());
    }

    [Fact]
    public async Task Patterns_ClusterTheLines_WithCountsPerStep_PerTenant()
    {
        var a = await f.GetJsonAsync(A, "/loki/api/v1/patterns", ("query", "{app=\"api\"}"), ("step", "1m"));
        Assert.Equal("success", a.GetProperty("status").GetString());
        var pattern = Assert.Single(a.GetProperty("data").EnumerateArray());
        Assert.Equal("level=info msg=\"request done\" status=<_> duration=<_> path=<_>", pattern.GetProperty("pattern").GetString());
        Assert.Equal("info", pattern.GetProperty("level").GetString());
        var samples = pattern.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(10, samples.Sum(s => s[1].GetInt64()));
        Assert.All(samples, s => Assert.Equal(0, s[0].GetInt64() % 60));

        var b = await f.GetJsonAsync(B, "/loki/api/v1/patterns", ("query", "{app=\"api\"}"));
        Assert.Equal(["secret-b line <_>"], b.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("pattern").GetString()));
    }

    [Fact]
    public async Task GrafanaLabelBrowser_Requests_AnswerWithTheTenantsLabels()
    {
        // The label browser's sequence: detected labels, label names, values of a label under a selector, series, stats.
        var detected = await f.GetJsonAsync(A, "/loki/api/v1/detected_labels", ("query", "{}"));
        Assert.Contains(detected.GetProperty("detectedLabels").EnumerateArray(), l => l.GetProperty("label").GetString() == "app");
        var labels = await f.GetJsonAsync(A, "/loki/api/v1/labels");
        Assert.Contains("app", labels.GetProperty("data").EnumerateArray().Select(l => l.GetString()));
        var values = await f.GetJsonAsync(A, "/loki/api/v1/label/app/values", ("query", "{env=\"prod\"}"));
        Assert.Equal("[\"api\"]", values.GetProperty("data").GetRawText());
        var series = await f.GetJsonAsync(A, "/loki/api/v1/series", ("match[]", "{app=\"api\"}"));
        var one = Assert.Single(series.GetProperty("data").EnumerateArray());
        Assert.Equal("prod", one.GetProperty("env").GetString());
        var stats = await f.GetJsonAsync(A, "/loki/api/v1/index/stats", ("query", "{app=\"api\"}"));
        Assert.Equal(10, stats.GetProperty("entries").GetInt64());
    }

    [Theory]
    [InlineData("/loki/api/v1/index/stats")]
    [InlineData("/loki/api/v1/index/volume")]
    [InlineData("/loki/api/v1/index/volume_range")]
    [InlineData("/loki/api/v1/detected_labels")]
    [InlineData("/loki/api/v1/detected_fields")]
    [InlineData("/loki/api/v1/detected_field/status/values")]
    [InlineData("/loki/api/v1/patterns")]
    public async Task EveryEndpoint_AcceptsAPostedForm_AndRejectsAMissingOrgId(string path)
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = "{app=\"api\"}",
            ["start"] = f.StartNs.ToString(),
            ["end"] = f.EndNs.ToString(),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        request.Headers.Add("X-Scope-OrgID", A);
        using var response = await f.Loki.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body}");
        Assert.DoesNotContain("secret-b", body);
        JsonDocument.Parse(body).Dispose();

        using var anonymous = await f.Loki.Client.GetAsync($"{path}?query={Uri.EscapeDataString("{app=\"api\"}")}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("no org id", (await anonymous.Content.ReadAsStringAsync()).Trim());
    }

    [Theory]
    [InlineData("/loki/api/v1/index/stats", "{\"streams\":0,\"chunks\":0,\"bytes\":0,\"entries\":0}")]
    [InlineData("/loki/api/v1/index/volume", "\"result\":[]")]
    [InlineData("/loki/api/v1/index/volume_range", "\"result\":[]")]
    [InlineData("/loki/api/v1/detected_labels", "{\"detectedLabels\":[]}")]
    [InlineData("/loki/api/v1/detected_fields", "{}")]
    [InlineData("/loki/api/v1/detected_field/detected_level/values", "{}")]
    [InlineData("/loki/api/v1/patterns", "{\"status\":\"success\",\"data\":[]}")]
    public async Task EveryEndpoint_ALabelOnlyAnotherTenantHas_FindsNothing_WhileThatTenantFindsItsData(string path, string empty)
    {
        var (statusA, bodyA) = await f.GetAsync(A, path, ("query", "{team=\"b\"}"));
        var (statusB, bodyB) = await f.GetAsync(B, path, ("query", "{team=\"b\"}"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (statusA, statusB));
        Assert.Contains(empty, bodyA);
        Assert.DoesNotContain(empty, bodyB);
    }

    [Theory]
    [InlineData("/loki/api/v1/index/stats", "start", "yesterday", "could not parse 'start' parameter: strconv.ParseInt: parsing \"yesterday\": invalid syntax")]
    [InlineData("/loki/api/v1/index/volume", "aggregateBy", "pods", "invalid aggregation option")]
    [InlineData("/loki/api/v1/index/volume", "limit", "-1", "limit must be a positive value")]
    [InlineData("/loki/api/v1/index/volume_range", "step", "0", "zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("/loki/api/v1/detected_fields", "line_limit", "0", "limit must be a positive value")]
    [InlineData("/loki/api/v1/detected_fields", "line_limit", "5001", "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)")]
    [InlineData("/loki/api/v1/patterns", "step", "abc", "cannot parse \"abc\" to a valid duration")]
    [InlineData("/loki/api/v1/detected_labels", "since", "2x", "could not parse 'since' parameter: not a valid duration string: \"2x\"")]
    public async Task BadParameters_Are400_WithLokisText(string path, string name, string value, string expected)
    {
        var (status, body) = await f.GetAsync(A, path, (name, value), ("query", "{app=\"api\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(expected, body.Trim());
    }

    [Fact]
    public async Task RangeLongerThanMaxQueryLength_Is400()
    {
        var (status, body) = await f.GetAsync(A, "/loki/api/v1/index/stats", ("query", "{app=\"api\"}"), ("start", "0"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("the query time range exceeds the limit (query length: ", body);
    }
}
