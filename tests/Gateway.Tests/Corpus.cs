using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// The test data and what a correct query over it returns. Three pushes: two are flushed to chunks (POST /flush), the
/// last stays in memory and also carries late entries inside the flushed time ranges and one exact re-push of a
/// flushed entry per stream (which queries must count once). Timestamps repeat within and across streams.
/// </summary>
internal sealed class Corpus
{
    public const long SecondNs = 1_000_000_000L;
    public const long MinuteNs = 60 * SecondNs;
    public static readonly string[] Pods = ["p0", "p1", "p2", "p3"];

    private Corpus(long baseNs) => BaseNs = baseNs;

    /// <summary>Minute-aligned start of the data, 40 minutes before the test ran.</summary>
    public long BaseNs { get; }

    /// <summary>Every distinct entry (duplicates collapsed), as queries should see them.</summary>
    public List<Entry> Entries { get; } = [];

    /// <summary>
    /// The corpus of this test cluster, pushed once for every class that reads it: two pushes a minute apart would
    /// overlap in time and each class would see the other's entries.
    /// </summary>
    public static async Task<Corpus> SharedAsync(HttpClient http)
    {
        await s_once.WaitAsync();
        try
        {
            return s_shared ??= await PushAsync(http);
        }
        finally
        {
            s_once.Release();
        }
    }

    private static readonly SemaphoreSlim s_once = new(1);
    private static Corpus? s_shared;

    private static async Task<Corpus> PushAsync(HttpClient http)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var corpus = new Corpus((now / MinuteNs * MinuteNs) - (40 * MinuteNs));
        var phases = new List<Entry>[3];
        for (var p = 0; p < 3; p++)
        {
            phases[p] = corpus.Generate(p * 12, (p + 1) * 12, p);
        }
        // Late entries (older than what is already flushed) and a re-push of a flushed entry, into the head.
        phases[2].AddRange(corpus.Generate(3, 5, 3));
        foreach (var pod in Pods)
        {
            phases[2].Add(phases[0].First(e => e.Pod == pod));
        }
        for (var p = 0; p < 3; p++)
        {
            await PushEntriesAsync(http, phases[p]);
            if (p < 2)
            {
                using var flushed = await http.PostAsync("/flush", null);
                Assert.Equal(HttpStatusCode.NoContent, flushed.StatusCode);
            }
        }
        corpus.Entries.AddRange(phases.SelectMany(e => e).DistinctBy(e => (e.Labels, e.TimestampNs, e.Line)));
        return corpus;
    }

    /// <summary>Entries for minutes [fromMinute, toMinute): every 10 s per pod, every 30 s two lines at one timestamp.</summary>
    private List<Entry> Generate(int fromMinute, int toMinute, int seed)
    {
        var result = new List<Entry>();
        string[] levels = ["info", "warn", "error"];
        for (var s = fromMinute * 60; s < toMinute * 60; s += 10)
        {
            for (var i = 0; i < Pods.Length; i++)
            {
                var pod = Pods[i];
                // Pods p0 and p1 share timestamps (ties across streams); the others are offset.
                var ts = BaseNs + (s * SecondNs) + (i < 2 ? 0 : (i * 1_000_000L) + seed);
                var k = (s / 10) + (i * 7) + seed;
                var level = levels[k % 3];
                var line = $"level={level} status={200 + (k % 4 * 100)} latency_ms={(k * 37) % 250} size={k % 11 * 100} msg=\"req {k}\"" +
                           (k % 9 == 0 ? " needle" : "");
                result.Add(new Entry(pod, ts, line, level, (k * 37) % 250, k % 11 * 100));
                if (s % 30 == 0)
                {
                    result.Add(new Entry(pod, ts, $"level={level} status=200 latency_ms=1 size=0 msg=\"tie {k}\"", level, 1, 0));
                }
            }
        }
        return result;
    }

    private static async Task PushEntriesAsync(HttpClient http, List<Entry> entries)
    {
        var body = new
        {
            streams = entries.GroupBy(e => e.Pod).Select(g => new
            {
                stream = new Dictionary<string, string> { ["job"] = "app", ["pod"] = g.Key },
                values = g.Select(e => new[] { e.TimestampNs.ToString(CultureInfo.InvariantCulture), e.Line }).ToArray(),
            }),
        };
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/loki/api/v1/push", content);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>One stored entry of stream <c>{job="app", pod=…}</c>.</summary>
    internal sealed record Entry(string Pod, long TimestampNs, string Line, string Level, int LatencyMs, int Size)
    {
        /// <summary>
        /// The labels of the entry's result stream: the distributor adds <c>service_name</c> (from <c>job</c>) and
        /// the line's level as <c>detected_level</c> structured metadata.
        /// </summary>
        public string Labels => $"{{detected_level=\"{Level}\", job=\"app\", pod=\"{Pod}\", service_name=\"app\"}}";
    }
}
