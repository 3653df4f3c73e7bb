using System.Text.Json;
using Orleans.Loki.LogQL.Log.Template;
using Orleans.Loki.Model;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.Notify;
using Orleans.Loki.Ruler.RemoteWrite;
using Orleans.Loki.Ruler.RemoteWrite.Proto;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>Alertmanager and remote-write payloads, alertmanager_url parsing, Prometheus' template functions and number text.</summary>
public sealed class WireFormatTests
{
    [Fact]
    public void RemoteWrite_Body_IsSnappyProtobufWriteRequest()
    {
        var body = RemoteWriter.Encode([
            new RecordedSample([new("__name__", "m"), new("app", "x")], 3, 1000),
            new RecordedSample([new("__name__", "m"), new("app", "x")], 4, 2000),
            new RecordedSample([new("__name__", "m"), new("app", "y")], 5, 1000),
        ]);
        var request = WriteRequest.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(body));
        Assert.Equal(2, request.Timeseries.Count);
        Assert.Equal(["__name__=m", "app=x"], request.Timeseries[0].Labels.Select(l => $"{l.Name}={l.Value}"));
        Assert.Equal([(3.0, 1000L), (4.0, 2000L)], request.Timeseries[0].Samples.Select(s => (s.Value, s.Timestamp)));
    }

    [Fact]
    public void Alertmanager_Body_IsV2PostableAlerts()
    {
        var body = AlertmanagerNotifier.Serialize([new AlertNotification(new() { ["alertname"] = "A" }, new() { ["summary"] = "s" },
            1_767_225_600_123_000_000, 1_767_225_660_000_000_000, "http://x/explore")]);
        using var doc = JsonDocument.Parse(body);
        var a = doc.RootElement[0];
        Assert.Equal("A", a.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("s", a.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("2026-01-01T00:00:00.123Z", a.GetProperty("startsAt").GetString());
        Assert.Equal("2026-01-01T00:01:00Z", a.GetProperty("endsAt").GetString());
        Assert.Equal("http://x/explore", a.GetProperty("generatorURL").GetString());
    }

    [Fact]
    public void AlertmanagerUrl_CommaList_KeepsPathPrefix_AndTurnsUserinfoIntoBasicAuth()
    {
        var targets = AlertmanagerTarget.Parse("http://u:p%40ss@am1:9093/prefix/, http://am2:9093", v2: true);
        Assert.Equal("http://am1:9093/prefix/api/v2/alerts", targets[0].AlertsUrl);
        Assert.Equal("Basic " + Convert.ToBase64String("u:p@ss"u8.ToArray()), targets[0].Authorization!.ToString());
        Assert.Equal("http://am2:9093/api/v2/alerts", targets[1].AlertsUrl);
        Assert.Null(targets[1].Authorization);
        Assert.Throws<FormatException>(() => AlertmanagerTarget.Parse("am:9093", v2: true));
    }

    [Theory]
    [InlineData("{{ humanize $value }}", 1234567.0, "1.235M")]
    [InlineData("{{ humanize $value }}", 0.00123, "1.23m")]
    [InlineData("{{ humanize1024 $value }}", 2048.0, "2ki")]
    [InlineData("{{ humanizePercentage $value }}", 0.256, "25.6%")]
    [InlineData("{{ humanizeDuration $value }}", 3725.0, "1h 2m 5s")]
    [InlineData("{{ printf \"%.2f\" $value }}", 3.14159, "3.14")]
    [InlineData("{{ $value }}", 6.0, "6")]
    [InlineData("{{ $labels.app }}/{{ $labels.missing }}/{{ $externalLabels.cluster }}/{{ $externalURL }}", 1.0, "x//c1/http://loki")]
    public void AlertTemplate_ExpandsPrometheusFunctionsAndVariables(string text, double value, string expected)
    {
        Assert.True(AlertTemplate.TryParse(text, "t", out var t, out var error), error);
        Assert.Equal(expected, t!.Expand(new Dictionary<string, string> { ["app"] = "x" }, new Dictionary<string, string> { ["cluster"] = "c1" }, "http://loki", value));
    }

    [Fact]
    public void AlertTemplate_ExecutionError_BecomesPrometheusErrorText()
    {
        Assert.True(AlertTemplate.TryParse("{{ humanize \"abc\" }}", "t", out var t, out _));
        Assert.StartsWith("<error expanding template: ", t!.Expand(new Dictionary<string, string>(), new Dictionary<string, string>(), "", 1), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6.0, "6e+00")]
    [InlineData(6.5, "6.5e+00")]
    [InlineData(1234.0, "1.234e+03")]
    [InlineData(0.001, "1e-03")]
    public void AlertValue_IsFormattedAsGoE(double v, string expected) => Assert.Equal(expected, GoFloat.FormatE(v));
}
