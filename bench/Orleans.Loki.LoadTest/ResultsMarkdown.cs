using System.Globalization;
using System.Text;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// Renders a <see cref="RunSummary"/> as markdown and replaces the load-test section of RESULTS.md (between
/// the begin/end markers), keeping everything else in the file (such as the micro benchmark section).
/// </summary>
internal static class ResultsMarkdown
{

    public static string Render(RunSummary s, string repoRoot)
    {
        var cores = Environment.ProcessorCount;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## End-to-end load test");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; commit `{ResultsFile.Git(repoRoot, "rev-parse --short HEAD")}`{(ResultsFile.Git(repoRoot, "status --porcelain -- src") is { Length: > 0 } dirty && dirty != "unknown" ? " (src has uncommitted changes)" : "")}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- machine: {cores} cores, {MemTotal()} memory, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- server: {s.Target}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- corpus: seed {s.Options.Seed}, {Mb(s.CorpusRawBytes)} MB raw in {s.CorpusLines:N0} lines over {s.Options.Streams} streams (logfmt / JSON / nginx), needle in {s.NeedleLines} lines; {s.Bodies} {(s.Options.Protobuf ? "protobuf+snappy" : "JSON")} bodies of 1 KB–1 MB, {s.Options.Clients} clients");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- per core = divided by {cores} (Environment.ProcessorCount); the load generator runs on the same cores as the server");
        sb.AppendLine();

        var lz4Compress = s.Baselines?.Find("lz4 -1 -B5 (256 KiB blocks)");
        sb.AppendLine("### Ingest");
        sb.AppendLine();
        sb.AppendLine("| figure | value | baseline (same run) | ratio |");
        sb.AppendLine("|---|---|---|---|");
        var full = s.FullSpeed;
        Row(sb, "push MB/s (raw line bytes), full speed", F(full.RawMbPerSecond), $"in-process `PushDecoder.Decode`, 1 thread: {F(s.DecodeCeilingMbPerSecond)} MB/s", Ratio(full.RawMbPerSecond, s.DecodeCeilingMbPerSecond));
        Row(sb, "push MB/s per core", F(full.RawMbPerSecond / cores), lz4Compress?.GbPerSecond is { } lz4 ? $"`lz4 -1` compress, 1 core: {F(lz4 * 1000)} MB/s" : "lz4: n/a", lz4Compress?.GbPerSecond is { } l ? Ratio(full.RawMbPerSecond / cores, l * 1000) : "");
        if (s.FullSpeedServerCpuSeconds is { } cpu and > 0)
        {
            // Independent of what else runs on the machine: raw bytes per second of CPU the server itself used.
            Row(sb, "push MB per server CPU-second, full speed", F(full.RawBytes / 1e6 / cpu), $"server CPU {F(cpu)} s in {F(full.Seconds)} s wall", lz4Compress?.GbPerSecond is { } l2 ? Ratio(full.RawBytes / 1e6 / cpu, l2 * 1000) : "");
        }
        if (s.Warmup is { } warmup)
        {
            var perCpu = s.WarmupServerCpuSeconds is { } wc and > 0 ? $", {F(warmup.RawBytes / 1e6 / wc)} MB per server CPU-second" : "";
            Row(sb, "warm-up before the measured phase (not in the figures above or below)", $"{F(warmup.RawMbPerSecond)} MB/s{perCpu}", $"first {F(warmup.RawBytes / 1e6)} MB of the corpus, {warmup.Requests} requests, {warmup.Failures} failed", "");
        }
        if (s.FullSpeedClientCpuSeconds is { } clientCpu)
        {
            // What the load generator took from the shared cores: JSON bodies cost it more than protobuf ones.
            Row(sb, "load generator CPU, full speed", $"{F(clientCpu)} s", $"{F(full.BodyBytes / 1e6)} MB of request bodies sent", "");
        }
        Row(sb, "push lines/s (per core)", $"{full.LinesPerSecond:N0} ({full.LinesPerSecond / cores:N0})", "", "");
        Row(sb, "push latency p50 / p99 at full speed", $"{F(Stats.Percentile(full.LatenciesMs, 50))} / {F(Stats.Percentile(full.LatenciesMs, 99))} ms", $"{full.Requests} requests, {full.Failures} failed{(full.FirstFailure is { } f1 ? $": {Escape(f1)}" : "")}", "");
        if (s.HalfRate is { } half)
        {
            Row(sb, $"push latency p50 / p99 at half rate ({F(s.HalfRateTargetMbPerSecond ?? 0)} MB/s target, {F(half.RawMbPerSecond)} achieved)", $"{F(Stats.Percentile(half.LatenciesMs, 50))} / {F(Stats.Percentile(half.LatenciesMs, 99))} ms", $"{half.Requests} requests, {half.Failures} failed{(half.FirstFailure is { } f2 ? $": {Escape(f2)}" : "")}", "");
        }

        if (s.IngestPeakRssBytes is { } ingestRss)
        {
            Row(sb, "server peak RSS after ingest, before flush and queries (VmHWM)", $"{ingestRss / 1048576.0:0} MiB", $"corpus: {s.CorpusRawBytes / 1048576.0:0} MiB raw", "");
        }
        if (s.IngestMemory is { } memory)
        {
            MemoryRows(sb, memory, s.IngestPeakRssBytes);
        }
        Row(sb, "server peak RSS (VmHWM)", s.PeakRssBytes is { } rss ? $"{rss / 1048576.0:0} MiB" : "n/a", $"corpus: {s.CorpusRawBytes / 1048576.0:0} MiB raw", "");
        Row(sb, "POST /flush", s.FlushSeconds is { } fs ? $"{F(fs)} s" : "n/a", s.FlushStatus, "");
        var diskRatio = s.DiskBytes is > 0 ? (double)s.CorpusRawBytes / s.DiskBytes.Value : (double?)null;
        Row(sb, "compression: raw / bytes on disk after flush", diskRatio is { } d ? $"{d:0.00}x ({Mb(s.DiskBytes!.Value)} MB)" : "n/a", s.Baselines?.Lz4Ratio is { } lr ? $"`lz4 -1 -B5`: {lr:0.00}x" : "lz4: n/a", diskRatio is { } d2 && s.Baselines?.Lz4Ratio is { } lr2 ? Ratio(d2, lr2) : "");
        sb.AppendLine();

        sb.AppendLine(CultureInfo.InvariantCulture, $"### Queries (median of {s.Options.QueryRuns} runs)");
        sb.AppendLine();
        sb.AppendLine("| query | median latency | scanned GB/s per core | result | baseline (same run, same bytes) | baseline GB/s | ratio |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var q in s.Queries)
        {
            var baseline = q.Spec.GrepPattern is not null ? s.Baselines?.Find(ShellBaselines.GrepName(q.Spec)) : s.Baselines?.Find("lz4 -dc > /dev/null");
            var latency = q.MedianSeconds is { } m ? $"{m * 1000:0.0} ms" : $"not available (HTTP {q.Status})";
            var result = q.Status == 200 ? q.Message : Escape(q.Message);
            if (q.Count is { } c && q.Spec.GrepPattern is not null && baseline is not null)
            {
                result += long.TryParse(baseline.Output, NumberStyles.Integer, CultureInfo.InvariantCulture, out var g) && g == c ? " (= grep)" : $" (grep: {baseline.Output})";
            }

            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| `{Escape(q.Spec.LogQL)}` | {latency} | {(q.GbPerSecondPerCore is { } gb ? F(gb) : "")} | {result} | {(baseline is null ? "" : $"`{Escape(baseline.Name)}`")} | {(baseline?.GbPerSecond is { } bg ? F(bg) : "")} | {(q.GbPerSecondPerCore is { } a && baseline?.GbPerSecond is { } b ? Ratio(a, b) : "")} |");
        }

        sb.AppendLine();
        if (s.Baselines is { } baselines)
        {
            sb.AppendLine("### Command-line baselines (median of 3, corpus file in page cache)");
            sb.AppendLine();
            sb.AppendLine("| command | median | GB/s | output |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var b in baselines.Results)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| `{Escape(b.Name)}` | {(b.MedianSeconds is { } t ? $"{t * 1000:0} ms" : "failed")} | {(b.GbPerSecond is { } g ? F(g) : "")} | {Escape(b.Output)} |");
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    /// <summary>The unflushed data sampled during ingest and the check of "RSS during ingest &lt;= 2x unflushed + 300 MB".</summary>
    private static void MemoryRows(StringBuilder sb, MemorySamples m, long? vmHwm)
    {
        var sampling = $"{m.Count} samples of `/metrics` and VmRSS every {MemorySampler.Period.TotalMilliseconds:0} ms over both ingest phases{(m.FirstError is { } e ? $", first failed sample: {Escape(IngestRunner.Truncate(e))}" : "")}";
        Row(sb, "unflushed data during ingest, max (`loki_ingester_unflushed_bytes`)", $"{MiB(m.MaxUnflushedBytes)} uncompressed (lines + metadata); {MiB(m.MaxUnflushedCompressedBytes)} in compressed blocks", sampling, "");
        if (m.AtMaxRss is not { RssBytes: { } rss } atMax || m.Worst is not { RssBytes: { } worstRss } worst || m.WorstExcessBytes is not { } excess)
        {
            Row(sb, "RSS <= 2x unflushed + 300 MB", "not checked (no VmRSS: the server is not a local process)", "", "");
            return;
        }
        Row(sb, "server VmRSS during ingest, max of the samples", MiB(rss), $"unflushed at that sample: {MiB(atMax.UnflushedBytes)}; VmHWM (can peak between samples): {(vmHwm is { } h ? MiB(h) : "n/a")}", "");
        var hwmBound = vmHwm is { } hwm ? $"; VmHWM - 2 x max unflushed = {MiB(hwm - (2 * m.MaxUnflushedBytes))} (a lower bound for the peak between samples)" : "";
        Row(sb, "RSS <= 2x unflushed + 300 MB (memory target)", $"{(m.TargetHolds == true ? "holds" : "does not hold")}: worst sample RSS - 2 x unflushed = {MiB(excess)}", $"worst sample: RSS {MiB(worstRss)}, unflushed {MiB(worst.UnflushedBytes)}; limit 300 MB = {MiB(MemorySamples.AllowanceBytes)}{hwmBound}", "");
    }

    private static string MiB(long bytes) => $"{bytes / 1048576.0:0} MiB";

    /// <summary>Replaces (or appends) the load-test section of <paramref name="path"/>.</summary>
    public static void Write(string path, string section) => ResultsFile.WriteSection(path, "loadtest", section);

    private static void Row(StringBuilder sb, string figure, string value, string baseline, string ratio) =>
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {figure} | {value} | {baseline} | {ratio} |");

    private static string F(double value) => double.IsNaN(value)
        ? "n/a"
        : value.ToString(value >= 100 ? "0" : value >= 10 ? "0.0" : value >= 1 ? "0.00" : value >= 0.01 ? "0.000" : "0.00000", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double value, double baseline) => baseline > 0 ? (value / baseline).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string MemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = long.Parse(line.AsSpan(9).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            return $"{kb / 1048576.0:0.0} GiB";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
