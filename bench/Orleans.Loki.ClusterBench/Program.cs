using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Orleans.Loki.Cluster.Tests;

// Cluster benchmark (issue: simple scalable deployment): ingest MB/s with 1 and with 2 write processes (plus a read and
// a backend process, Azure Table membership and blob storage on Azurite, as tests/Cluster.Tests), the CPU each process
// spent per MB, and pushes around a kill -9 of a write process. Usage:
//   dotnet run -c Release --project bench/Orleans.Loki.ClusterBench -- [--seconds 15] [--runs 3] [--clients 4]
//     [--batch 500] [--results bench/RESULTS.md]
var options = Options.Parse(args);
var connection = Environment.GetEnvironmentVariable("LOKI_TEST_AZURE_CONNECTION") ?? "UseDevelopmentStorage=true";
// No tenant rate limit: the benchmark measures what the processes can take, not the default 4 MB/s per tenant.
const string limits = "limits_config: { ingestion_rate_mb: 100000, ingestion_burst_size_mb: 100000, per_stream_rate_limit: 100GB, per_stream_rate_limit_burst: 100GB }";
var ingest = new List<(int Writers, IngestRun[] Runs)>();
KillResult? kill = null;

foreach (var writers in new[] { 1, 2 })
{
    var id = "b" + Guid.NewGuid().ToString("n")[..12];
    var container = "bench-" + id;
    var silos = new List<SiloProcess>();
    for (var i = 0; i < writers; i++)
    {
        silos.Add(SiloProcess.Create("write", connection, container, id, limits));
    }
    silos.Add(SiloProcess.Create("read", connection, container, id, limits));
    silos.Add(SiloProcess.Create("backend", connection, container, id, limits));
    try
    {
        // The first silo creates the membership table; the others join it.
        await silos[0].StartAsync();
        await Task.WhenAll(silos.Skip(1).Select(s => s.StartAsync()));
        var write = silos.Take(writers).ToArray();
        Console.WriteLine($"{writers} write process(es) ready: {string.Join(", ", silos.Select(s => $"{s.Target}:{s.HttpPort}"))}");
        // One short warm-up run (JIT, grain activations), not counted.
        await IngestAsync(write, silos, options with { Seconds = 3 }, "warmup");
        var runs = new IngestRun[options.Runs];
        for (var r = 0; r < options.Runs; r++)
        {
            runs[r] = await IngestAsync(write, silos, options, $"r{r}");
            Console.WriteLine($"  run {r + 1}: {runs[r]}");
        }
        ingest.Add((writers, runs));
        if (writers == 2)
        {
            kill = await KillAsync(silos[0], silos[1], options);
            Console.WriteLine($"  kill: {kill}");
        }
    }
    finally
    {
        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }
    }
}

var md = Markdown(ingest, kill!, options);
Console.WriteLine(md);
if (options.Results is { } path)
{
    var text = File.ReadAllText(path);
    const string begin = "<!-- cluster-bench:begin -->", end = "<!-- cluster-bench:end -->";
    text = text.Contains(begin, StringComparison.Ordinal)
        ? Regex.Replace(text, Regex.Escape(begin) + ".*?" + Regex.Escape(end), _ => md, RegexOptions.Singleline)
        : text.Contains("<!-- compaction:begin -->", StringComparison.Ordinal)
            ? text.Replace("<!-- compaction:begin -->", md + "\n\n<!-- compaction:begin -->", StringComparison.Ordinal)
            : text.TrimEnd() + "\n\n" + md + "\n";
    File.WriteAllText(path, text);
}
return 0;

static async Task<IngestRun> IngestAsync(SiloProcess[] write, List<SiloProcess> all, Options options, string run)
{
    var acked = 0L;
    var failed = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
    var cpu0 = all.Select(s => Cpu.Of(s.ProcessId)).ToArray();
    var self0 = Process.GetCurrentProcess().TotalProcessorTime;
    var machine0 = Cpu.Machine();
    var clock = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, options.Clients).Select(c => Task.Run(async () =>
    {
        var https = write.Select(w => new HttpClient { BaseAddress = w.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) }).ToArray();
        var baseNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var stream = n % 4;
                var (body, bytes) = Body($"{{\"bench\":\"ingest\",\"run\":\"{run}\",\"c\":\"{c}\",\"s\":\"{stream}\"}}", baseNs + ((long)(n / 4) * options.Batch), n, options.Batch);
                using var response = await https[(c + n) % https.Length].PostAsync("/loki/api/v1/push", new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } });
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    Interlocked.Add(ref acked, bytes);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }
        finally
        {
            foreach (var h in https)
            {
                h.Dispose();
            }
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    var wall = clock.Elapsed.TotalSeconds;
    var cpu = all.Select((s, i) => Cpu.Of(s.ProcessId) - cpu0[i]).ToArray();
    var machine = Cpu.Machine() - machine0;
    return new IngestRun(wall, acked, failed,
        cpu.Where((_, i) => all[i].Target == "write").Sum(),
        cpu.Where((_, i) => all[i].Target != "write").Sum(),
        (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds,
        machine);
}

// One push body: `lines` logfmt lines of about 120 bytes, one nanosecond apart; returns the body and its line bytes.
static (byte[] Body, long LineBytes) Body(string labels, long startNs, int n, int lines)
{
    var sb = new StringBuilder(lines * 160);
    sb.Append("{\"streams\":[{\"stream\":").Append(labels).Append(",\"values\":[");
    long bytes = 0;
    for (var i = 0; i < lines; i++)
    {
        var line = $"level={(i % 10 == 0 ? "error" : "info")} method=GET path=/api/v1/items/{(n * 7919 + i) % 10007} status={(i % 13 == 0 ? 500 : 200)} latency_ms={(i * 37) % 997} trace={n:x8}{i:x6} msg=served";
        bytes += line.Length;
        if (i > 0)
        {
            sb.Append(',');
        }
        sb.Append("[\"").Append((startNs + i).ToString(CultureInfo.InvariantCulture)).Append("\",\"").Append(line).Append("\"]");
    }
    sb.Append("]}]}");
    return (Encoding.UTF8.GetBytes(sb.ToString()), bytes);
}

// Single-line pushes from several clients (as the kill test), alternating between the write processes until the
// kill, then to the survivor only; write 0 is killed after a few seconds.
static async Task<KillResult> KillAsync(SiloProcess victim, SiloProcess survivor, Options options)
{
    const int clients = 4, streamsPerClient = 3;
    var pushes = new ConcurrentBag<Push>();
    var clock = Stopwatch.StartNew();
    long killedAt = -1;
    using var stop = new CancellationTokenSource();
    async Task ClientAsync(int c)
    {
        using var h0 = new HttpClient { BaseAddress = victim.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var h1 = new HttpClient { BaseAddress = survivor.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var seq = 0; !stop.IsCancellationRequested; seq++)
        {
            var stream = $"{c}/{seq % streamsPerClient}";
            var toVictim = Volatile.Read(ref killedAt) < 0 && seq % 2 == 0;
            var sent = clock.Elapsed.TotalMilliseconds;
            var (body, _) = Body($"{{\"bench\":\"kill\",\"c\":\"{c}\",\"s\":\"{seq % streamsPerClient}\"}}", start + seq, seq, 1);
            int? status;
            try
            {
                using var response = await (toVictim ? h0 : h1).PostAsync("/loki/api/v1/push", new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } });
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = null;
            }
            pushes.Add(new Push(stream, toVictim, sent, clock.Elapsed.TotalMilliseconds, status));
        }
    }
    var load = Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c))).ToArray();
    await Task.Delay(TimeSpan.FromSeconds(Math.Max(5, options.Seconds / 2)));
    Volatile.Write(ref killedAt, (long)clock.Elapsed.TotalMilliseconds);
    await victim.KillAsync();
    await Task.Delay(TimeSpan.FromSeconds(15));
    await stop.CancelAsync();
    await Task.WhenAll(load);

    var after = pushes.Where(p => p.SentMs >= killedAt).ToList();
    var latencies = after.Select(p => p.DoneMs - p.SentMs).Order().ToArray();
    // A stream that lived on the killed process: a push to the survivor failed or stalled (> 500 ms) after the kill.
    var moved = after.Where(p => !p.ToVictim && (p.Status != 204 || p.DoneMs - p.SentMs > 500)).Select(p => p.Stream).ToHashSet();
    var recovered = moved.Select(s => after.Where(p => p.Stream == s && p.Status == 204).Select(p => p.DoneMs - killedAt).DefaultIfEmpty(double.NaN).Min()).Order().ToArray();
    var failures = after.Where(p => p.Status != 204).ToList();
    return new KillResult(after.Count, failures.Count, failures.Count(f => f.Status is >= 500),
        latencies.Length == 0 ? 0 : latencies[latencies.Length / 2],
        latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))],
        latencies.Length == 0 ? 0 : latencies[^1],
        moved.Count, clients * streamsPerClient,
        after.Where(p => p.Status == 204).Select(p => p.DoneMs - killedAt).DefaultIfEmpty(double.NaN).Min(),
        recovered.Length == 0 ? double.NaN : recovered[0],
        recovered.Length == 0 ? double.NaN : recovered[^1],
        failures.Count == 0 ? 0 : failures.Max(f => f.DoneMs) - killedAt);
}

static string Markdown(List<(int Writers, IngestRun[] Runs)> ingest, KillResult kill, Options o)
{
    static double Median(IEnumerable<double> xs)
    {
        var a = xs.Order().ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[(a.Length / 2) - 1] + a[a.Length / 2]) / 2;
    }
    var sb = new StringBuilder();
    sb.AppendLine("<!-- cluster-bench:begin -->");
    sb.AppendLine("### Cluster ingest with 1 and 2 write processes, and a write-process kill (`bench/Orleans.Loki.ClusterBench`)");
    sb.AppendLine();
    sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {Environment.ProcessorCount} cores, shared with other work while it ran (figures are noisy)");
    sb.AppendLine(CultureInfo.InvariantCulture, $"- processes: N write + 1 read + 1 backend of the real binary over Azurite (table membership, blob objects), the load generator on the same cores");
    sb.AppendLine(CultureInfo.InvariantCulture, $"- load: {o.Clients} clients, each pushing JSON bodies of {o.Batch} logfmt lines (~120 bytes) to its own 4 streams, round-robin over the write processes; {o.Runs} runs of {o.Seconds} s after a 3 s warm-up; medians");
    sb.AppendLine("- MB = raw line bytes acknowledged (204); CPU from /proc (user + system) of each process during the run");
    sb.AppendLine();
    sb.AppendLine("| write processes | ingest (raw lines) | write CPU-s per MB | read+backend CPU-s per MB | load generator CPU-s per MB | machine busy | failed pushes |");
    sb.AppendLine("|---|---|---|---|---|---|---|");
    foreach (var (writers, runs) in ingest)
    {
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| {writers} | {Median(runs.Select(r => r.MBps)):F1} MB/s (runs: {string.Join(", ", runs.Select(r => r.MBps.ToString("F1", CultureInfo.InvariantCulture)))}) | {Median(runs.Select(r => r.WriteCpu / r.MB)):F3} | {Median(runs.Select(r => r.OtherCpu / r.MB)):F3} | {Median(runs.Select(r => r.ClientCpu / r.MB)):F3} | {Median(runs.Select(r => r.MachineBusy)):F2} of {Environment.ProcessorCount} cores | {runs.Sum(r => r.Failed)} |");
    }
    if (ingest.Count == 2)
    {
        var one = Median(ingest[0].Runs.Select(r => r.MBps));
        var two = Median(ingest[1].Runs.Select(r => r.MBps));
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Ratio 2 writers / 1 writer: {two / one:F2} (linear would be 2.00).");
    }
    sb.AppendLine();
    sb.AppendLine(CultureInfo.InvariantCulture,
        $"Kill -9 of one of the 2 write processes under single-line pushes (4 clients, 3 streams each, as the kill test): {kill.Pushes} pushes sent in the 15 s after the kill, " +
        $"{kill.Failed} failed ({kill.Failed5xx} with a 5xx, the rest refused connections to the killed process), failures ending {kill.FailureWindowMs:F0} ms after the kill. " +
        $"Push latency after the kill: p50 {kill.P50:F0} ms, p99 {kill.P99:F0} ms, max {kill.Max:F0} ms. Kill to the first 204 on any stream: {kill.FirstAnyMs:F0} ms. " +
        $"Streams that had lived on the killed process ({kill.Moved} of {kill.Streams}: a push to the survivor failed or stalled > 500 ms): first 204 after the kill {kill.FirstMovedMs:F0} ms, the last of them back {kill.LastMovedMs:F0} ms.");
    sb.Append("<!-- cluster-bench:end -->");
    return sb.ToString();
}

internal sealed record Options(int Seconds, int Runs, int Clients, int Batch, string? Results)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(15, 3, 4, 500, null);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            o = args[i] switch
            {
                "--seconds" => o with { Seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--runs" => o with { Runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--clients" => o with { Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--batch" => o with { Batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--results" => o with { Results = args[i + 1] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

internal sealed record IngestRun(double Wall, long Bytes, int Failed, double WriteCpu, double OtherCpu, double ClientCpu, double MachineCpu)
{
    public double MB => Bytes / 1e6;
    public double MBps => MB / Wall;
    public double MachineBusy => MachineCpu / Wall;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{MBps:F1} MB/s, write {WriteCpu / MB:F3} CPU-s/MB, read+backend {OtherCpu / MB:F3}, client {ClientCpu / MB:F3}, machine busy {MachineBusy:F2} cores, failed {Failed}");
}

internal sealed record Push(string Stream, bool ToVictim, double SentMs, double DoneMs, int? Status);

internal sealed record KillResult(int Pushes, int Failed, int Failed5xx, double P50, double P99, double Max, int Moved, int Streams,
    double FirstAnyMs, double FirstMovedMs, double LastMovedMs, double FailureWindowMs);

internal static class Cpu
{
    private static readonly double s_tick = 100.0;

    /// <summary>User + system CPU seconds of a process (0 when it is gone).</summary>
    public static double Of(int? pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of stat (utime, stime), counted from the state field (3).
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / s_tick;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>Busy CPU seconds of the whole machine (all cores) since boot.</summary>
    public static double Machine()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal
        return (cpu.Sum() - cpu[3] - cpu[4]) / s_tick;
    }
}
