using System.Globalization;
using System.Text;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.Bench.Throughput;

/// <summary>Prints the throughput table and replaces its section of RESULTS.md (between its markers).</summary>
internal static class ThroughputMarkdown
{
    private const string Begin = "<!-- throughput:begin -->";
    private const string End = "<!-- throughput:end -->";

    public static void Print(IReadOnlyList<ThroughputResult> results)
    {
        Console.WriteLine();
        Console.WriteLine(Table(results));
    }

    public static void Write(string path, IReadOnlyList<ThroughputResult> results, Corpus corpus)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.AppendLine("## Filter and parser throughput (`--throughput`: one thread, same-run `grep -c`)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; commit `{MicroResultsMarkdown.Commit(Path.GetDirectoryName(Path.GetFullPath(path))!)}`; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- corpus: seed {BenchData.Seed}, {corpus.DataLength / 1e6:0.0} MB in {corpus.Entries.Length:N0} lines (logfmt / JSON / nginx, {corpus.DataLength / (double)corpus.Entries.Length:0} B per line with its newline), in memory; grep reads the same bytes from a temp file in the page cache (`LC_ALL=C`, process start included)");
        sb.AppendLine("- time is CPU time (getrusage: user + system) of the measuring thread and of the grep process, least of 5 runs after a warm-up, so GB/s and lines/s are per core and other load on the shared machine does not count; our passes are single-threaded");
        sb.AppendLine("- per line = `LineFilter.Matches` on each line's span; per block = `LineFilter.Filter` over 256 KiB groups of lines in the buffer (what a querier holding a decompressed block can call)");
        sb.AppendLine("- parser rows read only the lines of that format; their GB/s counts those bytes, grep's counts the whole file");
        sb.AppendLine();
        sb.Append(Table(results));
        sb.AppendLine();
        sb.AppendLine(End);
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n";
        var start = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        var updated = start >= 0 && end > start
            ? existing[..start] + sb + existing[(end + End.Length)..].TrimStart('\n')
            : existing.TrimEnd('\n') + "\n\n" + sb;
        File.WriteAllText(path, updated);
    }

    private static string Table(IReadOnlyList<ThroughputResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| operation | GB/s | M lines/s | lines counted | baseline (same bytes) | baseline GB/s | ratio |");
        sb.AppendLine("|---|---:|---:|---:|---|---:|---:|");
        foreach (var r in results)
        {
            var c = r.Case;
            var baseline = c.GrepFlags is null ? "" : $"`grep {c.GrepFlags} -c '{c.GrepPattern}'`";
            var check = r.GrepCount is null ? "" : r.GrepCount == r.Count ? " (= grep)" : $" (grep: {r.GrepCount})";
            var grep = r.GrepGBps is { } g ? g.ToString("0.000", CultureInfo.InvariantCulture) : "";
            var ratio = r.GrepGBps is { } gb ? (r.GBps / gb).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Name.Replace("|", "\\|", StringComparison.Ordinal)} | {r.GBps:0.000} | {r.MLinesPerSecond:0.00} | {r.Count:N0}{check} | {baseline.Replace("|", "\\|", StringComparison.Ordinal)} | {grep} | {ratio} |");
        }
        return sb.ToString();
    }
}
