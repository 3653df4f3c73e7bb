using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Gateway.Http;

namespace Orleans.Loki.Server.Tests;

public sealed class ServerErrorLogTests
{
    [Fact]
    public void A_cause_is_logged_once_per_window_with_the_number_of_repeats_left_out()
    {
        var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Debug));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var log = new ServerErrorLog(factory.CreateLogger<ServerErrorLog>(), time);

        var logged = Enumerable.Range(0, 150).Count(_ => log.Log(new TimeoutException("silo 10.0.0.5:11111 unavailable"), "POST", "/loki/api/v1/push"));
        Assert.Equal(1, logged);
        // Another route or another exception is another cause.
        Assert.True(log.Log(new TimeoutException("silo 10.0.0.5:11111 unavailable"), "GET", "/loki/api/v1/query_range"));
        Assert.True(log.Log(new InvalidOperationException("silo 10.0.0.5:11111 unavailable"), "POST", "/loki/api/v1/push"));

        time.Advance(ServerErrorLog.Window - TimeSpan.FromSeconds(1));
        Assert.False(log.Log(new TimeoutException("silo 10.0.0.5:11111 unavailable"), "POST", "/loki/api/v1/push"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(log.Log(new TimeoutException("silo 10.0.0.5:11111 unavailable"), "POST", "/loki/api/v1/push"));

        var lines = capture.Lines.Where(l => l.Level == LogLevel.Error).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.NotNull(l.Error));
        Assert.Contains("(150 more like it in the last 00:01:00 not logged)", lines[^1].Message, StringComparison.Ordinal);
    }
}
