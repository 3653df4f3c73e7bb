using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// <c>--overload</c>: pushes faster than the server can flush for <c>--overload-minutes</c> against a memory cap of
/// <c>--overload-cap-mb</c> (<c>ingester.max_unflushed_bytes</c>), one stream per body over several streams, counting
/// per stream the entries of 2xx answers and the 429/503 refusals, with the server's VmRSS sampled every second. At the
/// end <c>POST /flush</c>, then: the process is alive, max RSS &lt;= 2 x cap + 300 MB, and every stream's query count
/// equals its acknowledged entries (refused bodies are not retried, so none of their entries may be readable).
/// </summary>
internal static class OverloadRunner
{
    /// <summary>Raw line bytes per body (lines of the generated corpus with fresh timestamps).</summary>
    private const int BodyRawBytes = 256 * 1024;

    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(LoadTestOptions options, string repoRoot)
    {
        var loadBefore = ReplayRunner.Uptime();
        var run = Guid.NewGuid().ToString("n")[..8];
        var endNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var pool = Corpus.Generate(options.Seed, 32L << 20, 30, endNs, TimeSpan.FromMinutes(40));
        var lines = pool.Entries.Select(e => pool.Line(e)).ToArray();
        var cap = (long)options.OverloadCapMb << 20;
        var streams = options.Streams;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var config = $"ingester:\n  max_unflushed_bytes: {cap}\n";
        await using var server = await ServerProcess.StartAsync(options.ServerDllPath(repoRoot), http, config, environment: options.ServerEnv).ConfigureAwait(false);
        Console.WriteLine($"overload: server pid {server.Pid} at {server.Url}, cap {options.OverloadCapMb} MiB, {streams} streams, {options.Clients} clients, run {run}");
        var push = new Uri(server.Url + "/loki/api/v1/push");
        var firstNs = NowNs() - 1_000_000_000;
        var counts = new StreamCounts[streams];
        for (var i = 0; i < streams; i++)
        {
            counts[i] = new StreamCounts();
        }

        await using var sampler = MemorySampler.Start(http, server.Url, server.RssBytes);

        // The sustainable rate: 30 s as fast as the clients go, while flushes keep up (or the cap answers).
        double rate;
        double? sustainable = null;
        if (options.OverloadRateMb is { } fixedRate)
        {
            rate = fixedRate;
        }
        else
        {
            var probe = await PushAsync(http, push, lines, run, counts, options.Clients * 2, null, TimeSpan.FromSeconds(30), null).ConfigureAwait(false);
            sustainable = probe.AckedRawBytes / 1e6 / probe.Seconds;
            rate = 2 * sustainable.Value;
            Console.WriteLine($"  sustainable: {sustainable:0.0} MB/s acknowledged over {probe.Seconds:0} s ({probe.Refused} refused); overload at {rate:0.0} MB/s");
        }

        var cpuBefore = server.CpuSeconds();
        var overload = await PushAsync(http, push, lines, run, counts, options.Clients * 4, rate * 1e6, TimeSpan.FromMinutes(options.OverloadMinutes), server).ConfigureAwait(false);
        var cpu = server.CpuSeconds() - cpuBefore;
        var memory = await sampler.StopAsync().ConfigureAwait(false);
        // What the push side needed: the read-back queries below have their own memory, reported apart.
        var pushPeak = server.PeakRssBytes();
        var lastNs = counts.Max(c => c.LastTimestampNs) + 1;
        var maxRss = memory.AtMaxRss?.RssBytes ?? 0;
        Console.WriteLine($"  overload: {overload.Describe()}; max sampled RSS {maxRss / 1048576.0:0} MiB, max unflushed {memory.MaxUnflushedBytes / 1048576.0:0} MiB");

        var alive = !server.HasExited;
        string flushStatus = "not run: the server exited";
        bool verified = false;
        string verifyMessage = "not run: the server exited";
        if (alive)
        {
            var flushClock = Stopwatch.StartNew();
            using (var flush = await http.PostAsync(new Uri(server.Url + "/flush"), null).ConfigureAwait(false))
            {
                flushStatus = $"HTTP {(int)flush.StatusCode} in {flushClock.Elapsed.TotalSeconds:0.0} s";
            }
            using var slow = new HttpClient { Timeout = TimeSpan.FromMinutes(15) };
            (verified, verifyMessage) = await VerifyAsync(slow, server.Url, run, counts, firstNs, lastNs).ConfigureAwait(false);
            alive = !server.HasExited;
        }
        var peak = pushPeak;
        var queryPeak = server.HasExited ? null : server.PeakRssBytes();
        var bound = 2 * cap + MemorySamples.AllowanceBytes;
        var rssOk = Math.Max(maxRss, peak ?? 0) <= bound;
        Console.WriteLine($"  flush: {flushStatus}; alive {alive}; VmHWM after the pushes {peak / 1048576.0:0} MiB (bound {bound / 1048576.0:0} MiB), after the read-back {queryPeak / 1048576.0:0} MiB; {verifyMessage}");

        var markdown = Render(options, repoRoot, loadBefore, sustainable, rate, overload, cpu, memory, peak, queryPeak, bound, alive, flushStatus, verified, verifyMessage);
        Console.WriteLine();
        Console.WriteLine(markdown);
        var resultsFile = options.ResultsFile ?? Path.Combine(repoRoot, "bench", "RESULTS.md");
        ResultsFile.WriteSection(resultsFile, "overload", markdown);
        Console.WriteLine($"updated {resultsFile}");
        return alive && rssOk && verified ? 0 : 1;
    }

    /// <summary>
    /// Pushes bodies of one stream each (streams in turn) for <paramref name="duration"/>: with
    /// <paramref name="rawBytesPerSecond"/> on an open schedule (a body is due when the rate reaches its bytes, however
    /// far behind the answers are, capped by <paramref name="clients"/>), else as fast as the clients go.
    /// </summary>
    private static async Task<PushTotals> PushAsync(HttpClient http, Uri push, ReadOnlyMemory<byte>[] lines, string run, StreamCounts[] counts, int clients, double? rawBytesPerSecond, TimeSpan duration, ServerProcess? server)
    {
        var totals = new PushTotals();
        var next = -1L;
        var clock = Stopwatch.StartNew();
        var progress = new Progress(rawBytesPerSecond is null ? "push (sustainable)" : "push (overload)", (long)duration.TotalSeconds);
        var lastSecond = 0L;
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var random = new Random();
            while (clock.Elapsed < duration && server?.HasExited != true)
            {
                var index = Interlocked.Increment(ref next);
                if (rawBytesPerSecond is { } rate)
                {
                    var wait = index * BodyRawBytes / rate - clock.Elapsed.TotalSeconds;
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait)).ConfigureAwait(false);
                    }
                }
                var stream = (int)(index % counts.Length);
                var (content, entries, raw) = Body(lines, random, run, stream, counts[stream]);
                using var body = new ByteArrayContent(content);
                body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync(push, body).ConfigureAwait(false);
                    totals.Latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref counts[stream].Acked, entries);
                        Interlocked.Add(ref totals.AckedRawBytes, raw);
                        Interlocked.Increment(ref totals.Acked);
                    }
                    else if (status is 429 or 503)
                    {
                        Interlocked.Increment(ref totals.Refused);
                        totals.FirstRefusal ??= $"{status} {IngestRunner.Truncate(await response.Content.ReadAsStringAsync().ConfigureAwait(false))}";
                    }
                    else
                    {
                        Interlocked.Increment(ref totals.Failed);
                        totals.FirstFailure ??= $"{status} {IngestRunner.Truncate(await response.Content.ReadAsStringAsync().ConfigureAwait(false))}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // No answer: whether the entries were stored is unknown, so the stream cannot be checked exactly.
                    Interlocked.Increment(ref totals.Failed);
                    Interlocked.Add(ref counts[stream].Unknown, entries);
                    totals.FirstFailure ??= e.Message;
                }
                var second = (long)clock.Elapsed.TotalSeconds;
                var last = Interlocked.Read(ref lastSecond);
                if (second > last && Interlocked.CompareExchange(ref lastSecond, second, last) == last)
                {
                    progress.Advance(second - last);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        totals.Seconds = clock.Elapsed.TotalSeconds;
        totals.Sent = Interlocked.Read(ref next) + 1;
        return totals;
    }

    /// <summary>One JSON push body of about <see cref="BodyRawBytes"/> of lines for one stream, with timestamps after its last.</summary>
    private static (byte[] Content, int Entries, long RawBytes) Body(ReadOnlyMemory<byte>[] lines, Random random, string run, int stream, StreamCounts counts)
    {
        var buffer = new ArrayBufferWriter<byte>(BodyRawBytes + (BodyRawBytes / 4));
        var entries = 0;
        long raw = 0;
        using (var writer = new Utf8JsonWriter(buffer, s_json))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("streams"u8);
            writer.WriteStartObject();
            writer.WriteStartObject("stream"u8);
            writer.WriteString("job"u8, "overload"u8);
            writer.WriteString("run", run);
            writer.WriteString("stream", stream.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            writer.WriteStartArray("values"u8);
            // Timestamps: now, but strictly after the stream's last one, so no two entries of a stream are equal.
            var now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            while (raw < BodyRawBytes)
            {
                var line = lines[random.Next(lines.Length)];
                long ts;
                long previous;
                do
                {
                    previous = Interlocked.Read(ref counts.LastTimestampNs);
                    ts = Math.Max(now, previous + 1);
                }
                while (Interlocked.CompareExchange(ref counts.LastTimestampNs, ts, previous) != previous);
                writer.WriteStartArray();
                writer.WriteStringValue(ts.ToString(CultureInfo.InvariantCulture));
                writer.WriteStringValue(line.Span);
                writer.WriteEndArray();
                entries++;
                raw += line.Length;
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return (buffer.WrittenSpan.ToArray(), entries, raw);
    }

    /// <summary>Window of each read-back query: one query over the whole run reads every chunk at once.</summary>
    private static readonly long s_windowNs = 10_000_000_000;

    /// <summary>
    /// Each stream's entry count, summed over consecutive <see cref="s_windowNs"/> windows from before the first push to
    /// after the last entry (the windows partition time, so each entry is counted once), against its acknowledged entries.
    /// </summary>
    private static async Task<(bool Ok, string Message)> VerifyAsync(HttpClient http, string baseUrl, string run, StreamCounts[] counts, long firstNs, long lastNs)
    {
        var query = Uri.EscapeDataString($"sum by (stream) (count_over_time({{job=\"overload\", run=\"{run}\"}}[{s_windowNs / 1_000_000_000}s]))");
        var actual = new Dictionary<int, long>();
        var queries = 0;
        for (var t = firstNs + s_windowNs; t - s_windowNs <= lastNs; t += s_windowNs)
        {
            queries++;
            using var response = await http.GetAsync(new Uri($"{baseUrl}/loki/api/v1/query?query={query}&time={t}")).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (false, $"query {queries} answered {(int)response.StatusCode}: {IngestRunner.Truncate(body)}");
            }
            using var doc = JsonDocument.Parse(body);
            foreach (var series in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var stream = int.Parse(series.GetProperty("metric").GetProperty("stream").GetString() ?? "-1", CultureInfo.InvariantCulture);
                actual[stream] = actual.GetValueOrDefault(stream) + long.Parse(series.GetProperty("value")[1].GetString() ?? "0", CultureInfo.InvariantCulture);
            }
        }
        var wrong = new List<string>();
        long acked = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var got = actual.GetValueOrDefault(i);
            var (min, max) = (counts[i].Acked, counts[i].Acked + counts[i].Unknown);
            acked += counts[i].Acked;
            if (got < min || got > max)
            {
                wrong.Add($"stream {i}: {got:N0} read, {min:N0} acknowledged{(counts[i].Unknown > 0 ? $" (+{counts[i].Unknown:N0} unanswered)" : "")}");
            }
        }
        var unknown = counts.Sum(c => c.Unknown);
        return wrong.Count == 0
            ? (true, $"all {counts.Length} streams read back exactly their {acked:N0} acknowledged entries{(unknown > 0 ? $" (+ up to {unknown:N0} of unanswered pushes)" : "")}, none of the refused ones ({queries} queries of {s_windowNs / 1_000_000_000} s windows)")
            : (false, $"{wrong.Count} streams differ: {string.Join("; ", wrong.Take(3))}");
    }

    private static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private static string Render(LoadTestOptions options, string repoRoot, string loadBefore, double? sustainable, double rate, PushTotals overload, double? cpu, MemorySamples memory, long? peak, long? queryPeak, long bound, bool alive, string flushStatus, bool verified, string verifyMessage)
    {
        static string MiB(long bytes) => $"{bytes / 1048576.0:0} MiB";
        var sb = new StringBuilder();
        sb.AppendLine("## Overload against the memory cap (`--overload`)");
        sb.AppendLine();
        var environment = options.ServerEnv.Count > 0 ? $"; server environment: {string.Join(", ", options.ServerEnv.Select(e => $"`{e.Key}={e.Value}`"))}" : "";
        sb.AppendLine(CultureInfo.InvariantCulture, $"Commit `{ResultsFile.Git(repoRoot, "rev-parse --short HEAD")}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average (1/5/15 min) before the run: {loadBefore}, after: {ReplayRunner.Uptime()}{environment}.");
        sb.Append(CultureInfo.InvariantCulture, $"`ingester.max_unflushed_bytes: {options.OverloadCapMb}MiB`; {options.Streams} streams (`--streams`), one per JSON body of {BodyRawBytes / 1024} KiB of raw lines, {options.Clients * 4} concurrent pushes on an open schedule (the 30 s probe of the sustainable rate: {options.Clients * 2}, as fast as they go); refused bodies (429/503) are not retried. ");
        sb.AppendLine(CultureInfo.InvariantCulture, $"RSS and `loki_ingester_unflushed_bytes` sampled every {MemorySampler.Period.TotalSeconds:0} s from the start (probe included); after `POST /flush`, `sum by (stream) (count_over_time(...[10s]))` over consecutive 10 s windows covering the run.");
        sb.AppendLine();
        sb.AppendLine("| figure | value | target |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| push rate asked | {rate:0.0} MB/s of raw lines for {options.OverloadMinutes} min | {(sustainable is { } s ? $"2 x the sustainable {s:0.0} MB/s (acknowledged MB/s of a 30 s full-speed push)" : "`--overload-rate-mb`")} |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| pushes sent / 2xx / 429-503 / other failures | {overload.Sent:N0} / {overload.Acked:N0} / {overload.Refused:N0} / {overload.Failed:N0} | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| acknowledged | {overload.AckedRawBytes / 1e6 / overload.Seconds:0.0} MB/s of raw lines ({overload.AckedRawBytes / 1e9:0.00} GB){(cpu is { } c ? $", {overload.AckedRawBytes / 1e6 / c:0.0} MB per server CPU-second" : "")} | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| push latency p50 / p99 | {Stats.Percentile(overload.Latencies.ToList(), 50):0} / {Stats.Percentile(overload.Latencies.ToList(), 99):0} ms | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| first refusal | {(overload.FirstRefusal ?? "none").Replace("|", "\\|", StringComparison.Ordinal)} | 503 with Loki's retry-later text |");
        var maxRss = memory.AtMaxRss?.RssBytes ?? 0;
        sb.AppendLine(CultureInfo.InvariantCulture, $"| unflushed data: max sampled | {MiB(memory.MaxUnflushedBytes)} (cap {MiB((long)options.OverloadCapMb << 20)}) | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| server RSS during the pushes: max sampled (unflushed then) / VmHWM | {MiB(maxRss)} ({MiB(memory.AtMaxRss?.UnflushedBytes ?? 0)}) / {(peak is { } p ? MiB(p) : "n/a")} | <= 2 x cap + 300 MB = {MiB(bound)}: **{(Math.Max(maxRss, peak ?? 0) <= bound ? "holds" : "does not hold")}** |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| VmHWM after flush and read-back queries | {(queryPeak is { } q ? MiB(q) : "n/a")} | (queries, not the push path) |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| process alive at the end | {(alive ? "yes" : "**no**")} | yes |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| POST /flush | {flushStatus} | |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| entries read back | {(verified ? "exact" : "**WRONG**")}: {verifyMessage} | every 2xx entry readable, once |");
        if (overload.FirstFailure is { } f)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| first other failure | {f.Replace("|", "\\|", StringComparison.Ordinal)} | |");
        }
        sb.AppendLine();
        return sb.ToString();
    }

    private sealed class StreamCounts
    {
        public long Acked;
        public long Unknown;
        public long LastTimestampNs;
    }

    private sealed class PushTotals
    {
        public long Sent;
        public long Acked;
        public long Refused;
        public long Failed;
        public long AckedRawBytes;
        public double Seconds;
        public string? FirstRefusal;
        public string? FirstFailure;
        public ConcurrentBag<double> Latencies { get; } = [];

        public string Describe() =>
            $"{Sent:N0} pushes in {Seconds:0} s: {Acked:N0} 2xx ({AckedRawBytes / 1e6 / Seconds:0.0} MB/s acknowledged), {Refused:N0} 429/503, {Failed:N0} other failures"
            + (FirstRefusal is { } r ? $"; first refusal: {r}" : "") + (FirstFailure is { } f ? $"; first failure: {f}" : "");
    }
}
