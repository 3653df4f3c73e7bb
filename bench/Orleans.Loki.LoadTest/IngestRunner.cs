using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>Pushes bodies with N concurrent clients, optionally paced to a target rate of raw line bytes.</summary>
internal static class IngestRunner
{
    /// <summary>
    /// Sends every body once. With <paramref name="rawBytesPerSecond"/>, body i is not sent before the moment the
    /// target rate reaches the raw bytes of bodies 0..i-1 (an open schedule, capped by the client count).
    /// </summary>
    public static async Task<IngestResult> RunAsync(HttpClient http, Uri pushUri, IReadOnlyList<PushBody> bodies, int clients, double? rawBytesPerSecond, string phase)
    {
        var due = new double[bodies.Count];
        long cumulative = 0;
        for (var i = 0; i < bodies.Count; i++)
        {
            due[i] = rawBytesPerSecond is { } rate ? cumulative / rate : 0;
            cumulative += bodies[i].RawBytes;
        }

        var progress = new Progress(phase, cumulative);
        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        string? firstFailure = null;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var wait = due[index] - clock.Elapsed.TotalSeconds;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait)).ConfigureAwait(false);
                }

                var body = bodies[index];
                using var content = new ByteArrayContent(body.Content);
                content.Headers.ContentType = new MediaTypeHeaderValue(body.ContentType);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync(pushUri, content).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode)
                    {
                        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                        RecordFailure($"{(int)response.StatusCode} {Truncate(text)}");
                    }
                }
                catch (HttpRequestException e)
                {
                    RecordFailure(e.Message);
                }
                catch (TaskCanceledException e)
                {
                    RecordFailure("timeout: " + e.Message);
                }

                progress.Advance(body.RawBytes);
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;

        return new IngestResult(
            seconds,
            bodies.Sum(b => (long)b.Lines),
            cumulative,
            bodies.Sum(b => (long)b.Content.Length),
            bodies.Count,
            latencies,
            failures,
            firstFailure);

        void RecordFailure(string message)
        {
            Interlocked.Increment(ref failures);
            Interlocked.CompareExchange(ref firstFailure, message, null);
        }
    }

    /// <summary>First 160 characters of a single-line rendering of <paramref name="text"/>.</summary>
    public static string Truncate(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 160 ? flat : flat[..160] + "…";
    }
}
