using System.Globalization;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// Samples the server's VmRSS and its unflushed data (<c>loki_ingester_unflushed_bytes</c> and
/// <c>loki_ingester_unflushed_compressed_bytes</c> from <c>GET /metrics</c>, summed over tenants) every
/// <see cref="Period"/> while ingest runs, for the target "RSS during ingest &lt;= 2x the unflushed data + 300 MB".
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    /// <summary>
    /// Once a second: each scrape renders every metric of the server (~7 ms of its CPU), so sampling four times a second
    /// cost 2.4% of the server's CPU during ingest in a profile. VmHWM covers peaks between samples.
    /// </summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly Uri _metrics;
    private readonly Func<long?> _rss;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<MemorySample> _samples = [];
    private readonly Task _loop;
    private string? _firstError;

    private MemorySampler(HttpClient http, string baseUrl, Func<long?> rss)
    {
        _http = http;
        _metrics = new Uri(baseUrl + "/metrics");
        _rss = rss;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Starts sampling; <paramref name="rss"/> reads the server's current VmRSS (null when unknown).</summary>
    public static MemorySampler Start(HttpClient http, string baseUrl, Func<long?> rss) => new(http, baseUrl, rss);

    /// <summary>Takes one last sample, stops, and summarises the samples.</summary>
    public async Task<MemorySamples> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await SampleAsync().ConfigureAwait(false);
        return MemorySamples.From(_samples, _firstError);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                await SampleAsync().ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task SampleAsync()
    {
        try
        {
            // /metrics first, VmRSS right after: the two are as close in time as one read of /proc allows.
            var text = await _http.GetStringAsync(_metrics).ConfigureAwait(false);
            var rss = _rss();
            _samples.Add(new MemorySample(rss, Sum(text, "loki_ingester_unflushed_bytes"), Sum(text, "loki_ingester_unflushed_compressed_bytes")));
        }
        catch (HttpRequestException e)
        {
            _firstError ??= e.Message;
        }
        catch (TaskCanceledException e)
        {
            _firstError ??= "timeout: " + e.Message;
        }
    }

    /// <summary>Sum of every series of <paramref name="name"/> (one per tenant) in a Prometheus text exposition.</summary>
    internal static long Sum(string exposition, string name)
    {
        double sum = 0;
        foreach (var line in exposition.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }
            var value = line[(line.LastIndexOf(' ') + 1)..];
            sum += double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return (long)sum;
    }
}

/// <param name="RssBytes">VmRSS, or null when /proc is unavailable.</param>
/// <param name="UnflushedBytes">Raw line bytes in the server's in-memory chunks.</param>
/// <param name="UnflushedCompressedBytes">LZ4 bytes of their cut blocks (head blocks not included).</param>
internal sealed record MemorySample(long? RssBytes, long UnflushedBytes, long UnflushedCompressedBytes);

/// <summary>What the samples taken during ingest show about the memory target.</summary>
internal sealed record MemorySamples(
    int Count,
    long MaxUnflushedBytes,
    long MaxUnflushedCompressedBytes,
    MemorySample? AtMaxRss,
    MemorySample? Worst,
    string? FirstError)
{
    /// <summary>The target's allowance on top of twice the unflushed data: 300 MB.</summary>
    public const long AllowanceBytes = 300_000_000;

    /// <summary>Largest RSS - 2 x unflushed over the samples, or null without RSS.</summary>
    public long? WorstExcessBytes => Worst is { RssBytes: { } rss } w ? rss - (2 * w.UnflushedBytes) : null;

    /// <summary>Whether every sample had RSS &lt;= 2 x unflushed + 300 MB; null without RSS.</summary>
    public bool? TargetHolds => WorstExcessBytes is { } excess ? excess <= AllowanceBytes : null;

    public static MemorySamples From(IReadOnlyList<MemorySample> samples, string? firstError)
    {
        var withRss = samples.Where(s => s.RssBytes is not null).ToList();
        return new MemorySamples(
            samples.Count,
            samples.Count == 0 ? 0 : samples.Max(s => s.UnflushedBytes),
            samples.Count == 0 ? 0 : samples.Max(s => s.UnflushedCompressedBytes),
            withRss.MaxBy(s => s.RssBytes!.Value),
            withRss.MaxBy(s => s.RssBytes!.Value - (2 * s.UnflushedBytes)),
            firstError);
    }
}
