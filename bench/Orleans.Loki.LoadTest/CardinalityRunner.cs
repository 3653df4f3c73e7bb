using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// The cardinality benchmark (<c>--cardinality</c>): pushes brand-new streams (few entries each) into a running
/// server and times what a new stream costs (activation, WAL, limits, index, labels), then a metric query over
/// all those small streams (index lookup and querier fan-out rather than per-line work).
/// </summary>
internal static class CardinalityRunner
{
    public const int DefaultStreams = 20_000;
    private const int EntriesPerStream = 5;
    private const int StreamsPerPush = 1_000;
    private const int Namespaces = 5;
    private const string Job = "card";

    public static async Task<int> RunAsync(LoadTestOptions options, int streams, string repoRoot)
    {
        var loadBefore = LoadAverage();
        var ingestRuns = Math.Max(3, options.QueryRuns);
        var queryRuns = Math.Max(5, options.QueryRuns);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        ServerProcess? server = null;
        try
        {
            string baseUrl;
            if (options.Url is { } url)
            {
                baseUrl = url;
            }
            else
            {
                var dll = options.ServerDllPath(repoRoot);
                server = await ServerProcess.StartAsync(dll, http, environment: options.ServerEnv).ConfigureAwait(false);
                baseUrl = server.Url;
                Console.WriteLine($"server: pid {server.Pid} at {baseUrl}, data in {server.DataDir}");
            }

            var pushUri = new Uri(baseUrl + "/loki/api/v1/push");
            // Label values never seen by this server (nor by an earlier invocation against --url).
            var nonce = Guid.NewGuid().ToString("n")[..6];

            // Warm-up: the JIT's first compilations and the first grain activations are not measured.
            var warmupStreams = Math.Max(StreamsPerPush, streams / 10);
            var warmup = await PushRunAsync(http, pushUri, server, options, $"{Job}-warmup", $"{nonce}w", warmupStreams).ConfigureAwait(false);
            Console.WriteLine($"  warm-up: {warmupStreams:N0} streams, {warmup.StreamsPerSecond:N0} new streams/s, {warmup.Failures} failures {warmup.FirstFailure}");

            // Run 1 writes job="card" (the streams queried afterwards); later runs write job="card-<run>".
            var runs = new List<PushRun>();
            for (var run = 1; run <= ingestRuns; run++)
            {
                var job = run == 1 ? Job : $"{Job}-{run}";
                var result = await PushRunAsync(http, pushUri, server, options, job, $"{nonce}r{run}", streams).ConfigureAwait(false);
                runs.Add(result);
                Console.WriteLine($"  run {run} ({job}): {streams:N0} new streams in {result.Seconds:0.00} s = {result.StreamsPerSecond:N0} new streams/s{(result.CpuMsPerStream is { } ms ? $", {ms:0.000} server CPU-ms per stream" : "")}, push p50 {Stats.Percentile(result.LatenciesMs, 50):0} ms, {result.Failures} failures {result.FirstFailure}");
            }

            var instantNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100 + 1_000_000_000;
            var queries = new List<QueryResult>
            {
                await QueryAsync(http, baseUrl, $"sum(count_over_time({{job=\"{Job}\"}}[5m]))", instantNs, queryRuns, [(string.Empty, (long)streams * EntriesPerStream)]).ConfigureAwait(false),
                await QueryAsync(http, baseUrl, $"sum by (namespace) (count_over_time({{job=\"{Job}\"}}[5m]))", instantNs, queryRuns, ExpectedByNamespace(streams)).ConfigureAwait(false),
            };
            var series = await SeriesCountAsync(http, baseUrl, instantNs).ConfigureAwait(false);
            Console.WriteLine($"  /series {{job=\"{Job}\"}}: {series} (pushed {streams})");

            var markdown = Render(options, streams, warmupStreams, warmup, runs, queries, series, server is not null, repoRoot, $"{loadBefore} / {LoadAverage()}");
            Console.WriteLine();
            Console.WriteLine(markdown);
            var resultsFile = options.ResultsFile ?? Path.Combine(repoRoot, "bench", "RESULTS.md");
            ResultsFile.WriteSection(resultsFile, "cardinality", markdown);
            Console.WriteLine($"updated {resultsFile}");
            var ok = runs.All(r => r.Failures == 0) && queries.All(q => q.Matches) && series == streams;
            return ok ? 0 : 1;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static List<(string Group, long Count)> ExpectedByNamespace(int streams) =>
        [.. Enumerable.Range(0, streams).GroupBy(i => $"ns-{i % Namespaces}").Select(g => (g.Key, (long)g.Count() * EntriesPerStream)).OrderBy(g => g.Item1, StringComparer.Ordinal)];

    private sealed record PushRun(double Seconds, int Streams, List<double> LatenciesMs, int Failures, string? FirstFailure, double? CpuSeconds)
    {
        public double StreamsPerSecond => Streams / Seconds;

        public double? CpuMsPerStream => CpuSeconds is { } cpu ? cpu * 1000 / Streams : null;
    }

    private sealed record QueryResult(string LogQL, List<double> LatenciesMs, int Status, string Message, bool Matches);

    /// <summary>Pushes <paramref name="streams"/> new streams, <see cref="StreamsPerPush"/> per request, from the configured clients.</summary>
    private static async Task<PushRun> PushRunAsync(HttpClient http, Uri pushUri, ServerProcess? server, LoadTestOptions options, string job, string tag, int streams)
    {
        // Every entry lies in the last minute, inside the [5m] of the queries that follow.
        var baseNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100 - 30_000_000_000;
        var bodies = new List<byte[]>();
        for (var first = 0; first < streams; first += StreamsPerPush)
        {
            bodies.Add(Body(options.Protobuf, job, tag, first, Math.Min(StreamsPerPush, streams - first), baseNs));
        }

        var contentType = options.Protobuf ? PushBodyBuilder.ProtobufContentType : PushBodyBuilder.JsonContentType;
        var latencies = new List<double>();
        var failures = 0;
        string? firstFailure = null;
        var next = -1;
        var cpuBefore = server?.CpuSeconds();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Math.Min(options.Clients, bodies.Count)).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(bodies[index]);
                content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                var started = Stopwatch.GetTimestamp();
                string? failure = null;
                try
                {
                    using var response = await http.PostAsync(pushUri, content).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        failure = $"{(int)response.StatusCode} {IngestRunner.Truncate(await response.Content.ReadAsStringAsync().ConfigureAwait(false))}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failure = e.Message;
                }

                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (failure is not null)
                    {
                        failures++;
                        firstFailure ??= failure;
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        return new PushRun(seconds, streams, latencies, failures, firstFailure, server?.CpuSeconds() - cpuBefore);
    }

    private static IEnumerable<KeyValuePair<string, string>> Labels(string job, string tag, int stream) =>
    [
        new("app", $"app-{stream % 50}"),
        new("instance", $"{tag}-{stream}"),
        new("job", job),
        new("namespace", $"ns-{stream % Namespaces}"),
    ];

    private static string Line(int stream, int entry) => $"level=info msg=\"cardinality entry\" stream={stream} entry={entry}";

    private static byte[] Body(bool protobuf, string job, string tag, int first, int count, long baseNs)
    {
        if (protobuf)
        {
            var proto = new ArrayBufferWriter<byte>(count * 400);
            for (var s = first; s < first + count; s++)
            {
                var stream = new ArrayBufferWriter<byte>(512);
                Proto.Bytes(stream, 1, Encoding.UTF8.GetBytes("{" + string.Join(", ", Labels(job, tag, s).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}"));
                for (var e = 0; e < EntriesPerStream; e++)
                {
                    var ns = baseNs + e * 1_000_000L;
                    var timestamp = new ArrayBufferWriter<byte>(16);
                    Proto.Varint(timestamp, 1, (ulong)(ns / 1_000_000_000));
                    Proto.Varint(timestamp, 2, (ulong)(ns % 1_000_000_000));
                    var entry = new ArrayBufferWriter<byte>(128);
                    Proto.Bytes(entry, 1, timestamp.WrittenSpan);
                    Proto.Bytes(entry, 2, Encoding.UTF8.GetBytes(Line(s, e)));
                    Proto.Bytes(stream, 2, entry.WrittenSpan);
                }

                Proto.Bytes(proto, 1, stream.WrittenSpan);
            }

            return Snappier.Snappy.CompressToArray(proto.WrittenSpan);
        }

        var buffer = new ArrayBufferWriter<byte>(count * 500);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("streams");
            for (var s = first; s < first + count; s++)
            {
                writer.WriteStartObject();
                writer.WriteStartObject("stream");
                foreach (var label in Labels(job, tag, s))
                {
                    writer.WriteString(label.Key, label.Value);
                }

                writer.WriteEndObject();
                writer.WriteStartArray("values");
                for (var e = 0; e < EntriesPerStream; e++)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue((baseNs + e * 1_000_000L).ToString(CultureInfo.InvariantCulture));
                    writer.WriteStringValue(Line(s, e));
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One untimed run, then <paramref name="runs"/> timed runs of an instant query; every answer is checked.</summary>
    private static async Task<QueryResult> QueryAsync(HttpClient http, string baseUrl, string logql, long timeNs, int runs, List<(string Group, long Count)> expected)
    {
        var uri = new Uri($"{baseUrl}/loki/api/v1/query?query={Uri.EscapeDataString(logql)}&time={timeNs}");
        var latencies = new List<double>();
        var message = "";
        var matches = true;
        for (var run = 0; run <= runs; run++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(uri).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return new QueryResult(logql, latencies, (int)response.StatusCode, IngestRunner.Truncate(body), false);
            }

            if (run > 0)
            {
                latencies.Add(elapsed);
            }

            var actual = Groups(body);
            var same = actual.SequenceEqual(expected);
            matches &= same;
            message = same
                ? $"= {string.Join(", ", actual.Select(g => g.Group.Length == 0 ? g.Count.ToString(CultureInfo.InvariantCulture) : $"{g.Group}: {g.Count}"))} (= pushed)"
                : $"{string.Join(", ", actual.Select(g => $"{g.Group}: {g.Count}"))} but pushed {string.Join(", ", expected.Select(g => $"{g.Group}: {g.Count}"))}";
        }

        Console.WriteLine($"  {logql}: median {Stats.Median(latencies):0} ms of {runs} runs ({string.Join(", ", latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture)))}) {message}");
        return new QueryResult(logql, latencies, 200, message, matches);
    }

    /// <summary>The vector of an instant query as (namespace label or "", value), sorted by label.</summary>
    private static List<(string Group, long Count)> Groups(string body)
    {
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (r.GetProperty("metric").TryGetProperty("namespace", out var ns) ? ns.GetString() ?? "" : "",
                (long)double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .OrderBy(g => g.Item1, StringComparer.Ordinal)];
    }

    private static async Task<int> SeriesCountAsync(HttpClient http, string baseUrl, long timeNs)
    {
        var start = timeNs - 300_000_000_000;
        var uri = new Uri($"{baseUrl}/loki/api/v1/series?match[]={Uri.EscapeDataString($"{{job=\"{Job}\"}}")}&start={start}&end={timeNs}");
        using var response = await http.GetAsync(uri).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"  /series: HTTP {(int)response.StatusCode} {IngestRunner.Truncate(body)}");
            return -1;
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetArrayLength();
    }

    private static string Render(LoadTestOptions options, int streams, int warmupStreams, PushRun warmup, List<PushRun> runs, List<QueryResult> queries, int series, bool localServer, string repoRoot, string load)
    {
        var sb = new StringBuilder();
        var dirty = ResultsFile.Git(repoRoot, "status --porcelain -- src") is { Length: > 0 } d && d != "unknown" ? " (src has uncommitted changes)" : "";
        sb.AppendLine("## Cardinality (`--cardinality`)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; commit `{ResultsFile.Git(repoRoot, "rev-parse --short HEAD")}`{dirty}; load average (1/5/15 min) before / after: {load}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Environment.ProcessorCount} cores, shared; server and load generator on the same cores");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- server: {(localServer ? "src/Silo Release build started by the load test (fresh data dir, filesystem store, limits lifted)" : options.Url)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- each run pushes {streams:N0} brand-new streams ({EntriesPerStream} entries each, labels job/app/instance/namespace, a new `instance` per stream), {StreamsPerPush:N0} streams per {(options.Protobuf ? "protobuf+snappy" : "JSON")} push, {options.Clients} concurrent clients; a warm-up run of {warmupStreams:N0} streams first ({warmup.StreamsPerSecond:N0} streams/s, not counted)");
        sb.AppendLine();
        sb.AppendLine("| figure | median | runs | check |");
        sb.AppendLine("|---|---|---|---|");
        var perSecond = runs.Select(r => r.StreamsPerSecond).ToList();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| new streams/s | {Stats.Median(perSecond):N0} | {string.Join(", ", perSecond.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))} | {runs.Sum(r => r.Failures)} failed pushes{(runs.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null) is { } f ? $": {f.Replace("|", "\\|", StringComparison.Ordinal)}" : "")} |");
        if (runs.All(r => r.CpuMsPerStream is not null))
        {
            var cpu = runs.Select(r => r.CpuMsPerStream!.Value).ToList();
            sb.AppendLine(CultureInfo.InvariantCulture, $"| server CPU-ms per new stream (`/proc/<pid>/stat`) | {Stats.Median(cpu):0.000} | {string.Join(", ", cpu.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} | |");
        }
        var p50 = runs.Select(r => Stats.Percentile(r.LatenciesMs, 50)).ToList();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| push latency p50 ({StreamsPerPush:N0} new streams per push) | {Stats.Median(p50):0} ms | {string.Join(", ", p50.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} ms | |");
        foreach (var q in queries)
        {
            var value = q.LatenciesMs.Count > 0 ? $"{Stats.Median(q.LatenciesMs):0} ms" : $"HTTP {q.Status}";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| `{q.LogQL.Replace("|", "\\|", StringComparison.Ordinal)}` over {streams:N0} streams, instant | {value} | {string.Join(", ", q.LatenciesMs.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} ms | {q.Message.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"| `/loki/api/v1/series` of `{{job=\"{Job}\"}}` | {series:N0} series | | {(series == streams ? "= pushed" : $"pushed {streams:N0}")} |");
        sb.AppendLine();
        sb.AppendLine("Targets: >= 10,000 new streams/s; the metric query over 20,000 small streams <= 200 ms.");
        return sb.ToString();
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>The few protobuf wire-format writes a logproto.PushRequest needs.</summary>
    private static class Proto
    {
        public static void Bytes(IBufferWriter<byte> buffer, int field, ReadOnlySpan<byte> bytes)
        {
            Raw(buffer, (ulong)((field << 3) | 2));
            Raw(buffer, (ulong)bytes.Length);
            buffer.Write(bytes);
        }

        public static void Varint(IBufferWriter<byte> buffer, int field, ulong value)
        {
            if (value != 0)
            {
                Raw(buffer, (ulong)(field << 3));
                Raw(buffer, value);
            }
        }

        private static void Raw(IBufferWriter<byte> buffer, ulong value) => PushBodyBuilder.WriteVarint(buffer, value);
    }
}
