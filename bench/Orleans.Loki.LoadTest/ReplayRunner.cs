using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// <c>--replay</c>: WAL replay after <c>kill -9</c>. Starts the server with flushing off, pushes <c>--replay-mb</c> of
/// raw lines, kills it with SIGKILL, restarts it on the same data directory and polls <c>/ready</c> and the liveness
/// endpoint every 20 ms until <c>/ready</c> answers 200; then checks that every pushed entry is queryable.
/// </summary>
internal static class ReplayRunner
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Nothing is flushed while the benchmark runs: every pushed byte is in the WAL when the server is killed.</summary>
    private const string NoFlushConfig = """
        ingester:
          chunk_idle_period: 2h
          max_chunk_age: 4h
          flush_check_period: 1h
          max_unflushed_bytes: 0
        """;

    /// <summary>Streams per verification query: below Loki's default <c>max_query_series</c> of 500.</summary>
    private const int StreamsPerQuery = 400;

    /// <summary>The liveness probe: answered by the gateway without asking any grain.</summary>
    private const string LivenessPath = "/loki/api/v1/status/buildinfo";

    /// <summary>Liveness answers at least this slow are listed with their time in the run's line.</summary>
    private const double SlowAnswerMs = 100;

    public static async Task<int> RunAsync(LoadTestOptions options, string repoRoot)
    {
        var loadBefore = Uptime();
        var streamCounts = options.ReplayStreams;
        var dll = options.ServerDllPath(repoRoot);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var sections = new List<(int Streams, Corpus Corpus, List<ReplayRun> Runs)>();
        foreach (var streams in streamCounts)
        {
            var clock = Stopwatch.StartNew();
            var endNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100 - 120_000_000_000;
            var corpus = Corpus.Generate(options.Seed, (long)options.ReplayMb * 1024 * 1024, streams, endNs, TimeSpan.FromMinutes(40));
            var bodies = PushBodyBuilder.Split(corpus, options.Seed, 1024, 1024 * 1024, options.Protobuf);
            Console.WriteLine($"replay corpus: {corpus.RawBytes / 1e6:0.0} MB raw, {corpus.Entries.Length:N0} lines over {streams} streams, {bodies.Count} bodies, generated in {clock.Elapsed.TotalSeconds:0.0} s");
            var runs = new List<ReplayRun>();
            for (var run = 1; run <= options.ReplayRuns; run++)
            {
                var result = await RunOnceAsync(http, dll, corpus, bodies, options.Clients, options.ServerEnv).ConfigureAwait(false);
                Console.WriteLine($"  run {run}: {result.Describe()}");
                runs.Add(result);
            }
            sections.Add((streams, corpus, runs));
        }

        var markdown = Render(sections, repoRoot, loadBefore);
        Console.WriteLine();
        Console.WriteLine(markdown);
        var resultsFile = options.ResultsFile ?? Path.Combine(repoRoot, "bench", "RESULTS.md");
        ResultsFile.WriteSection(resultsFile, "replay", markdown);
        Console.WriteLine($"updated {resultsFile}");
        return sections.All(s => s.Runs.All(r => r.Verified)) ? 0 : 1;
    }

    private static async Task<ReplayRun> RunOnceAsync(HttpClient http, string dll, Corpus corpus, List<PushBody> bodies, int clients, IReadOnlyDictionary<string, string> environment)
    {
        var first = await ServerProcess.StartAsync(dll, http, NoFlushConfig, environment: environment).ConfigureAwait(false);
        ServerProcess? restarted = null;
        try
        {
            var push = await IngestRunner.RunAsync(http, new Uri(first.Url + "/loki/api/v1/push"), bodies, clients, null, "push (not flushed)").ConfigureAwait(false);
            if (push.Failures > 0)
            {
                throw new InvalidOperationException($"{push.Failures} pushes failed: {push.FirstFailure}");
            }
            var unflushed = MemorySampler.Sum(await http.GetStringAsync(new Uri(first.Url + "/metrics")).ConfigureAwait(false), "loki_ingester_unflushed_bytes");
            await first.KillAsync().ConfigureAwait(false);
            var walBytes = DirectoryBytes(first.DataDir);

            // Restart on the same data directory; time from the process start.
            var clock = Stopwatch.StartNew();
            restarted = await ServerProcess.StartAsync(dll, http, restartOf: first, waitReady: false, environment: environment).ConfigureAwait(false);
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var stop = new CancellationTokenSource();
            var liveness = PollLivenessAsync(probe, restarted.Url + LivenessPath, clock, stop.Token);
            var ready = await PollReadyAsync(probe, restarted, clock).ConfigureAwait(false);
            var cpu = restarted.CpuSeconds();
            await stop.CancelAsync().ConfigureAwait(false);
            var live = await liveness.ConfigureAwait(false);
            var (verified, verifyMessage) = await VerifyAsync(http, restarted.Url, corpus).ConfigureAwait(false);
            return new ReplayRun(corpus.RawBytes, unflushed, walBytes, ready.Seconds, ready.FirstAnswerSeconds, ready.Texts, cpu, live, verified, verifyMessage);
        }
        finally
        {
            if (restarted is not null)
            {
                await restarted.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await first.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<(double Seconds, double? FirstAnswerSeconds, List<string> Texts)> PollReadyAsync(HttpClient probe, ServerProcess server, Stopwatch clock)
    {
        var texts = new List<string>();
        double? firstAnswer = null;
        while (clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"the restarted server exited; see {Path.Combine(server.Root, "server.log")}");
            }
            try
            {
                using var response = await probe.GetAsync(new Uri(server.Url + "/ready")).ConfigureAwait(false);
                firstAnswer ??= clock.Elapsed.TotalSeconds;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (clock.Elapsed.TotalSeconds, firstAnswer, texts);
                }
                var text = $"{(int)response.StatusCode} {(await response.Content.ReadAsStringAsync().ConfigureAwait(false)).Trim()}";
                if (texts.Count == 0 || texts[^1] != text)
                {
                    texts.Add(text);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // The probe's 10 s timeout: /ready did not answer; recorded as a text and polled again.
                texts.Add("no answer within 10 s");
            }
            await Task.Delay(s_poll).ConfigureAwait(false);
        }
        throw new TimeoutException("/ready did not answer 200 within 10 minutes");
    }

    /// <summary>Liveness answers from the first answer on: their count, the slowest, and any that was not 200.</summary>
    private static async Task<Liveness> PollLivenessAsync(HttpClient probe, string url, Stopwatch clock, CancellationToken stop)
    {
        var latencies = new List<double>();
        var sentAt = new List<double>();
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            var sent = clock.Elapsed.TotalSeconds;
            try
            {
                using var response = await probe.GetAsync(new Uri(url), CancellationToken.None).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                sentAt.Add(sent);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures++;
                }
            }
            catch (HttpRequestException)
            {
                if (latencies.Count > 0)
                {
                    failures++;
                }
            }
            catch (TaskCanceledException)
            {
                // The 10 s client timeout: the endpoint blocked.
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                sentAt.Add(sent);
                failures++;
            }
            try
            {
                await Task.Delay(s_poll, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        if (latencies.Count == 0)
        {
            return new Liveness(0, null, null, failures, null, null, "");
        }
        var worst = latencies.IndexOf(latencies.Max());
        // The first answer pays the start-up JIT of the HTTP pipeline; the worst one after it is what replay costs.
        double? worstLater = latencies.Count > 1 ? latencies.Skip(1).Max() : null;
        var slow = string.Join(", ", Enumerable.Range(0, latencies.Count).Where(i => latencies[i] >= SlowAnswerMs)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{latencies[i]:0} ms at {sentAt[i]:0.00} s")));
        return new Liveness(latencies.Count, latencies[worst], Stats.Percentile(latencies, 50), failures, sentAt[worst], worstLater, slow);
    }

    /// <summary>Counts per stream (by its <c>app</c> label) against the corpus.</summary>
    private static async Task<(bool Ok, string Message)> VerifyAsync(HttpClient http, string baseUrl, Corpus corpus)
    {
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in corpus.Entries)
        {
            var app = corpus.Streams[entry.Stream].Labels.First(l => l.Key == "app").Value;
            expected[app] = expected.GetValueOrDefault(app) + 1;
        }
        var actual = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in expected.Keys.Order(StringComparer.Ordinal).Chunk(StreamsPerQuery))
        {
            var query = $"sum by (app) (count_over_time({{job=\"loadtest\", app=~\"{string.Join("|", group)}\"}}[1h]))";
            var url = $"{baseUrl}/loki/api/v1/query?query={Uri.EscapeDataString(query)}&time={corpus.EndNs + 1_000_000_000}";
            using var response = await http.GetAsync(new Uri(url)).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (false, $"query answered {(int)response.StatusCode}: {IngestRunner.Truncate(body)}");
            }
            using var doc = JsonDocument.Parse(body);
            foreach (var series in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var app = series.GetProperty("metric").GetProperty("app").GetString() ?? "";
                actual[app] = long.Parse(series.GetProperty("value")[1].GetString() ?? "0", CultureInfo.InvariantCulture);
            }
        }
        var wrong = expected.Where(e => actual.GetValueOrDefault(e.Key) != e.Value).ToList();
        var extra = actual.Keys.Count(k => !expected.ContainsKey(k));
        if (wrong.Count == 0 && extra == 0)
        {
            return (true, $"all {expected.Count} streams hold exactly their {corpus.Entries.Length:N0} pushed entries");
        }
        var sample = string.Join(", ", wrong.Take(3).Select(w => $"{w.Key}: {actual.GetValueOrDefault(w.Key)} of {w.Value}"));
        return (false, $"{wrong.Count} streams differ ({sample}), {extra} unexpected");
    }

    private static long DirectoryBytes(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static string Render(List<(int Streams, Corpus Corpus, List<ReplayRun> Runs)> sections, string repoRoot, string loadBefore)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## WAL replay after kill -9 (`bench/run.sh --replay`)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Commit `{ResultsFile.Git(repoRoot, "rev-parse --short HEAD")}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average (1/5/15 min) before the run: {loadBefore}, after: {Uptime()}.");
        sb.AppendLine("Server started with flushing off, the corpus pushed, `loki_ingester_unflushed_bytes` read, the server killed with SIGKILL and started again on the same data directory; "
            + $"`/ready` and `{LivenessPath}` polled every 20 ms. Replay MB/s = raw line bytes of the corpus / seconds from the process start to the first `/ready` 200.");
        sb.AppendLine();
        sb.AppendLine("| streams | raw lines | unflushed (metric) | WAL on disk | start → /ready 200 (median) | replay MB/s (median) | runs (s) | first HTTP answer | server CPU to ready | liveness: answers, p50 / max ms (max after the first answer), failures | entries after restart |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (streams, corpus, runs) in sections)
        {
            var median = Stats.Median(runs.Select(r => r.ReadySeconds).ToList());
            var mbps = Stats.Median(runs.Select(r => r.MbPerSecond).ToList());
            var mid = runs.OrderBy(r => r.ReadySeconds).ElementAt(runs.Count / 2);
            sb.Append(CultureInfo.InvariantCulture,
                $"| {streams:N0} | {corpus.RawBytes / 1e6:0} MB | {mid.UnflushedBytes / 1e6:0} MB | {mid.WalBytes / 1e6:0} MB | {median:0.00} s | **{mbps:0}** | {string.Join(" / ", runs.Select(r => r.ReadySeconds.ToString("0.00", CultureInfo.InvariantCulture)))} | ");
            sb.Append(CultureInfo.InvariantCulture, $"{(mid.FirstAnswerSeconds is { } f ? $"{f:0.00} s" : "n/a")} | {(mid.CpuSeconds is { } c ? $"{c:0.0} s" : "n/a")} | ");
            sb.AppendLine(CultureInfo.InvariantCulture, $"{mid.Live.Answers}, {mid.Live.P50Ms:0.0} / {mid.Live.MaxMs:0.0} ({mid.Live.MaxAfterFirstMs:0.0}), {mid.Live.Failures} | {(runs.All(r => r.Verified) ? "exact" : "WRONG")}: {mid.VerifyMessage} |");
        }
        sb.AppendLine();
        foreach (var (streams, _, runs) in sections)
        {
            var mid = runs.OrderBy(r => r.ReadySeconds).ElementAt(runs.Count / 2);
            var texts = mid.ReadyTexts.Count <= 6 ? mid.ReadyTexts : [.. mid.ReadyTexts.Take(3), "…", .. mid.ReadyTexts.TakeLast(2)];
            sb.AppendLine(CultureInfo.InvariantCulture, $"`/ready` answers before 200 ({streams:N0} streams, median run, {mid.ReadyTexts.Count} distinct): {string.Join(" → ", texts.Select(t => $"`{t}`"))}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>The load average (1/5/15 min) from /proc/loadavg.</summary>
    internal static string Uptime()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// <paramref name="WorstSentAt"/>: seconds from the process start to the request of the slowest answer;
    /// <paramref name="Slow"/>: every answer of at least <see cref="SlowAnswerMs"/>, with when it was asked.</summary>
    private sealed record Liveness(int Answers, double? MaxMs, double? P50Ms, int Failures, double? WorstSentAt, double? MaxAfterFirstMs, string Slow);

    private sealed record ReplayRun(long RawBytes, long UnflushedBytes, long WalBytes, double ReadySeconds, double? FirstAnswerSeconds, List<string> ReadyTexts, double? CpuSeconds, Liveness Live, bool Verified, string VerifyMessage)
    {
        public double MbPerSecond => RawBytes / 1e6 / ReadySeconds;

        public string Describe() =>
            $"/ready 200 after {ReadySeconds:0.00} s = {MbPerSecond:0} MB/s ({RawBytes / 1e6:0} MB raw, {UnflushedBytes / 1e6:0} MB unflushed, {WalBytes / 1e6:0} MB WAL); "
            + $"first answer {FirstAnswerSeconds:0.00} s; CPU {CpuSeconds:0.0} s; /ready texts {ReadyTexts.Count} ({string.Join(" | ", ReadyTexts.Take(2))}{(ReadyTexts.Count > 2 ? " | … | " + ReadyTexts[^1] : "")}); "
            + $"liveness {Live.Answers} answers, p50 {Live.P50Ms:0.0} ms, max {Live.MaxMs:0.0} ms (sent {Live.WorstSentAt:0.00} s after the start; worst after the first answer {Live.MaxAfterFirstMs:0.0} ms), {Live.Failures} failures; slow answers: {(Live.Slow.Length > 0 ? Live.Slow : "none")}; {VerifyMessage}";
    }
}
