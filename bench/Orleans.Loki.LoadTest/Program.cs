using System.Diagnostics;
using Orleans.Loki.Bench.Generation;
using Orleans.Loki.LoadTest;
using Orleans.Loki.Push;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadTestOptions.Usage);
    return 0;
}

if (!LoadTestOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

var repoRoot = FindRepoRoot();
var cores = Environment.ProcessorCount;
if (options.Cardinality is { } newStreams)
{
    return await CardinalityRunner.RunAsync(options, newStreams, repoRoot);
}
if (options.Overload)
{
    return await OverloadRunner.RunAsync(options, repoRoot);
}
if (options.Replay)
{
    return await ReplayRunner.RunAsync(options, repoRoot);
}

// 1. Corpus and bodies. Timestamps end two minutes ago so every entry is in the past for the server.
var clock = Stopwatch.StartNew();
var endNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100 - 120_000_000_000;
var corpus = Corpus.Generate(options.Seed, (long)options.SizeMb * 1024 * 1024, options.Streams, endNs, TimeSpan.FromMinutes(40));
var bodies = PushBodyBuilder.Split(corpus, options.Seed, 1024, 1024 * 1024, options.Protobuf);
Console.WriteLine($"corpus: {corpus.RawBytes / 1e6:0.0} MB raw, {corpus.Entries.Length:N0} lines, {bodies.Count} bodies ({bodies.Sum(b => (long)b.Content.Length) / 1e6:0.0} MB), generated in {clock.Elapsed.TotalSeconds:0.0} s");

// 2. Same-run ceiling: only decoding the same bodies, in-process, on one thread (one warm-up body first).
PushDecoder.Decode(bodies[0].Content, bodies[0].ContentType, null, PushFormat.Json, 0);
clock.Restart();
foreach (var body in bodies)
{
    using var decoded = PushDecoder.Decode(body.Content, body.ContentType, null, PushFormat.Json, 0);
    if (!decoded.Success)
    {
        Console.Error.WriteLine($"the generated body does not decode: {decoded.Error}");
        return 1;
    }
}

var ceiling = corpus.RawBytes / 1e6 / clock.Elapsed.TotalSeconds;
Console.WriteLine($"decode ceiling: {ceiling:0.0} MB/s on one thread");
if (options.WritePath)
{
    WritePathProfile.Run(corpus, bodies, new Orleans.Loki.Chunks.ChunkOptions { Level = options.Lz4Level, TokenFilter = !options.NoTokenFilter }, options.ChunkRuns);
    return 0;
}

// 3. Server: a warm-up (first 10% of the bytes by default, not measured), ingest at full speed up to 80% of the
//    bytes, then the rest at half that rate.
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
ServerProcess? server = null;
RunSummary summary;
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
        server = await ServerProcess.StartAsync(dll, http, options.ServerYaml is { } yaml ? await File.ReadAllTextAsync(yaml) : null, environment: options.ServerEnv);
        baseUrl = server.Url;
        Console.WriteLine($"server: pid {server.Pid} at {baseUrl}, data in {server.DataDir}");
    }

    var pushUri = new Uri(baseUrl + "/loki/api/v1/push");
    var warmupEnd = options.Warmup > 0 ? SplitIndex(bodies, options.Warmup) : 0;
    var split = SplitIndex(bodies, 0.8);
    IngestResult? warmup = null;
    double? warmupCpu = null;
    if (warmupEnd > 0)
    {
        // A server runs for days: its steady state is what counts, so the JIT's first compilations
        // (tiered compilation and PGO recompile hot methods during the first seconds) are left out.
        var warmupCpuBefore = server?.CpuSeconds();
        warmup = await IngestRunner.RunAsync(http, pushUri, bodies.Take(warmupEnd).ToList(), options.Clients, null, "ingest (warm-up)");
        warmupCpu = server?.CpuSeconds() - warmupCpuBefore;
        Console.WriteLine($"  warm-up: {warmup.RawMbPerSecond:0.0} MB/s{(warmupCpu is { } wc ? $", {warmup.RawBytes / 1e6 / wc:0.0} MB per server CPU-second" : "")}, {warmup.Failures} failures {warmup.FirstFailure}");
    }
    var cpuBefore = server?.CpuSeconds();
    var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var rssServer = server;
    await using var sampler = MemorySampler.Start(http, baseUrl, () => rssServer?.RssBytes());
    var full = await IngestRunner.RunAsync(http, pushUri, bodies.Take(split).Skip(warmupEnd).ToList(), options.Clients, null, "ingest (full speed)");
    Console.WriteLine($"  full speed: {full.RawMbPerSecond:0.0} MB/s, {full.LinesPerSecond:N0} lines/s, p50 {Stats.Percentile(full.LatenciesMs, 50):0.0} ms, p99 {Stats.Percentile(full.LatenciesMs, 99):0.0} ms, {full.Failures} failures {full.FirstFailure}");
    var serverCpu = server?.CpuSeconds() - cpuBefore;
    // The load generator shares the cores with the server: its own CPU is what the server could not use.
    var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalSeconds;
    if (serverCpu is { } cpu)
    {
        Console.WriteLine($"  server CPU: {cpu:0.0} s for {full.RawBytes / 1e6:0.0} MB = {full.RawBytes / 1e6 / cpu:0.0} MB per CPU-second");
    }
    Console.WriteLine($"  load generator CPU: {clientCpu:0.0} s ({full.BodyBytes / 1e6:0.0} MB of request bodies sent)");
    IngestResult? half = null;
    double? halfTarget = null;
    if (split < bodies.Count && full.RawMbPerSecond > 0)
    {
        // Half the measured rate, or a fixed rate (e.g. half of a per-core target times the cores) when given.
        halfTarget = options.PacedMb ?? full.RawMbPerSecond / 2;
        half = await IngestRunner.RunAsync(http, pushUri, bodies.Skip(split).ToList(), options.Clients, halfTarget * 1e6, "ingest (half rate)");
        Console.WriteLine($"  half rate: {half.RawMbPerSecond:0.0} MB/s, p50 {Stats.Percentile(half.LatenciesMs, 50):0.0} ms, p99 {Stats.Percentile(half.LatenciesMs, 99):0.0} ms, {half.Failures} failures {half.FirstFailure}");
    }

    var peakRss = server?.PeakRssBytes();
    var ingestPeakRss = peakRss;
    var memory = await sampler.StopAsync();
    PrintMemory(memory, ingestPeakRss);

    clock.Restart();
    double? flushSeconds = null;
    string flushStatus;
    using (var flush = await http.PostAsync(new Uri(baseUrl + "/flush"), null))
    {
        flushStatus = $"HTTP {(int)flush.StatusCode}";
        if (flush.IsSuccessStatusCode)
        {
            flushSeconds = clock.Elapsed.TotalSeconds;
        }
        else
        {
            flushStatus += ": " + IngestRunner.Truncate(await flush.Content.ReadAsStringAsync());
        }
    }

    long? disk = server is null ? null : Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    Console.WriteLine($"flush: {flushStatus}; peak RSS {peakRss / 1048576.0:0} MiB; on disk {disk / 1e6:0.0} MB");

    var queries = options.SkipQueries ? new List<QueryOutcome>() : await QueryRunner.RunAsync(http, baseUrl, corpus, options.QueryRuns);
    peakRss = server?.PeakRssBytes() ?? peakRss;

    // The server is stopped before the baselines so they do not compete with it for the cores.
    if (server is not null)
    {
        await server.DisposeAsync();
        server = null;
    }

    var baselines = options.SkipBaselines ? null : await ShellBaselines.RunAsync(corpus, QuerySpec.FixedSet);
    summary = new RunSummary
    {
        Options = options,
        Target = options.Url is null ? "src/Silo Release build, started by the load test (fresh data dir, filesystem store)" : options.Url,
        CorpusRawBytes = corpus.RawBytes,
        CorpusLines = corpus.Entries.Length,
        NeedleLines = corpus.NeedleCount,
        Bodies = bodies.Count,
        DecodeCeilingMbPerSecond = ceiling,
        FullSpeed = full,
        FullSpeedServerCpuSeconds = serverCpu,
        Warmup = warmup,
        WarmupServerCpuSeconds = warmupCpu,
        FullSpeedClientCpuSeconds = clientCpu,
        HalfRate = half,
        HalfRateTargetMbPerSecond = halfTarget,
        PeakRssBytes = peakRss,
        IngestPeakRssBytes = ingestPeakRss,
        IngestMemory = memory,
        FlushSeconds = flushSeconds,
        FlushStatus = flushStatus,
        DiskBytes = disk,
        Queries = queries,
        Baselines = baselines,
    };
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

var markdown = ResultsMarkdown.Render(summary, repoRoot);
Console.WriteLine();
Console.WriteLine(markdown);
var resultsFile = options.ResultsFile ?? Path.Combine(repoRoot, "bench", "RESULTS.md");
ResultsMarkdown.Write(resultsFile, markdown);
Console.WriteLine($"updated {resultsFile} ({cores} cores)");
return 0;

static void PrintMemory(MemorySamples m, long? vmHwm)
{
    static string MiB(long bytes) => $"{bytes / 1048576.0:0} MiB";
    Console.WriteLine($"memory during ingest ({m.Count} samples every {MemorySampler.Period.TotalMilliseconds:0} ms{(m.FirstError is { } e ? $", first failed sample: {e}" : "")}):");
    Console.WriteLine($"  max unflushed {MiB(m.MaxUnflushedBytes)} uncompressed (lines + metadata); max compressed blocks {MiB(m.MaxUnflushedCompressedBytes)}");
    if (m.AtMaxRss is { RssBytes: { } rss } at)
    {
        Console.WriteLine($"  max sampled VmRSS {MiB(rss)} with {MiB(at.UnflushedBytes)} unflushed; VmHWM {(vmHwm is { } hwm ? MiB(hwm) : "n/a")}");
    }
    if (m.Worst is { RssBytes: { } worstRss } worst && m.WorstExcessBytes is { } excess)
    {
        Console.WriteLine($"  RSS <= 2x unflushed + 300 MB: {(m.TargetHolds == true ? "holds" : "does not hold")}; worst sample RSS {MiB(worstRss)} - 2 x {MiB(worst.UnflushedBytes)} = {MiB(excess)} (limit {MiB(MemorySamples.AllowanceBytes)})");
    }
}

static int SplitIndex(List<PushBody> bodies, double fraction)
{
    var total = bodies.Sum(b => b.RawBytes);
    long sum = 0;
    for (var i = 0; i < bodies.Count; i++)
    {
        sum += bodies[i].RawBytes;
        if (sum >= total * fraction)
        {
            return i + 1;
        }
    }

    return bodies.Count;
}

static string FindRepoRoot()
{
    foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Loki.sln")))
            {
                return dir.FullName;
            }
        }
    }

    return Environment.CurrentDirectory;
}
