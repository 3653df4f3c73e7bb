using Orleans.Loki.Gateway.Detected;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Tests;

public sealed class FieldDetectorTests
{
    private static ResultStream Stream(KeyValuePair<string, string>[] labels, params LogEntry[] entries) =>
        new(labels, string.Join(",", labels.Select(l => l.Key + "=" + l.Value)), [.. entries]);

    private static readonly ResultStream s_logfmt = Stream(
        [new("app", "api"), new("detected_level", "info")],
        new LogEntry(2, "level=info status=200 took=15ms size=5KB app=other msg=\"ok\"", [new("detected_level", "info")], []),
        new LogEntry(1, "level=info status=404 took=3ms size=7b msg=\"not found\"", [new("detected_level", "info")], []));

    private static readonly ResultStream s_json = Stream(
        [new("app", "web")],
        new LogEntry(3, "{\"user\":{\"id\":\"u1\",\"age\":30},\"ok\":true,\"tags\":[\"x\"]}", [], []));

    private static readonly ResultStream s_plain = Stream([new("app", "cron")], new LogEntry(4, "nothing to parse here", [], []));

    [Fact]
    public void Fields_ComeFromMetadataLogfmtAndJson_WithTypesCardinalityParsersAndJsonPaths()
    {
        var detector = new FieldDetector(1000);
        detector.Add(s_logfmt);
        detector.Add(s_json);
        detector.Add(s_plain);

        Assert.Equal(
            [
                new("app_extracted", "string", 1, ["logfmt"], null),
                new("detected_level", "string", 1, null, null),
                new("level", "string", 1, ["logfmt"], null),
                new("msg", "string", 2, ["logfmt"], null),
                new("ok", "boolean", 1, ["json"], ["ok"]),
                new("size", "bytes", 2, ["logfmt"], null),
                new("status", "int", 2, ["logfmt"], null),
                new("took", "duration", 2, ["logfmt"], null),
                new("user_age", "int", 1, ["json"], ["user", "age"]),
                new("user_id", "string", 1, ["json"], ["user", "id"]),
            ],
            detector.Result().Select(f => f with { }).ToList(),
            new FieldComparer());
    }

    [Fact]
    public void Limit_KeepsTheFirstFieldsSeen_MetadataFirstThenParsedByName()
    {
        var detector = new FieldDetector(2);
        detector.Add(s_logfmt);

        Assert.Equal(["app_extracted", "detected_level"], detector.Result().Select(f => f.Label));
    }

    [Fact]
    public void Values_AreDistinct_WithByteSizesInLokisCompactForm()
    {
        var detector = new FieldDetector(1000);

        Assert.Equal(["15ms", "3ms"], detector.Values([s_logfmt, s_json], "took", 100));
        Assert.Equal(["5.0kB", "7B"], detector.Values([s_logfmt], "size", 100));
        Assert.Equal(["u1"], detector.Values([s_logfmt, s_json], "user_id", 100));
        Assert.Equal(["info"], detector.Values([s_logfmt], "detected_level", 100));
        Assert.Empty(detector.Values([s_plain], "took", 100));
    }

    private sealed class FieldComparer : IEqualityComparer<DetectedField>
    {
        public bool Equals(DetectedField? x, DetectedField? y) =>
            x!.Label == y!.Label && x.Type == y.Type && x.Cardinality == y.Cardinality &&
            (x.Parsers ?? []).SequenceEqual(y.Parsers ?? []) && (x.Parsers is null) == (y.Parsers is null) &&
            (x.JsonPath ?? []).SequenceEqual(y.JsonPath ?? []);

        public int GetHashCode(DetectedField obj) => obj.Label.GetHashCode(StringComparison.Ordinal);
    }
}
