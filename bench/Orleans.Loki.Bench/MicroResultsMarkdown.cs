using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Orleans.Loki.Bench;

/// <summary>Replaces the micro benchmark section of RESULTS.md (between its markers), keeping the rest of the file.</summary>
internal static class MicroResultsMarkdown
{
    private const string Begin = "<!-- micro:begin -->";
    private const string End = "<!-- micro:end -->";

    public static void Write(string path, IReadOnlyList<BudgetRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.AppendLine("## Micro benchmarks (`--check-budgets`: BenchmarkDotNet short job, in-process)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; commit `{Commit(Path.GetDirectoryName(Path.GetFullPath(path))!)}`; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        sb.AppendLine("- short job = 3 warm-up + 3 measured iterations: the means are indicative (±20% on a shared machine); allocations are exact");
        sb.AppendLine();
        sb.AppendLine("| benchmark | mean ns/op | allocated B/op | budget B/op | |");
        sb.AppendLine("|---|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| `{row.Name}` | {row.MeanText} | {row.AllocatedText} | {row.Budget} | {row.Verdict} |");
        }

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

    internal static string Commit(string directory)
    {
        var info = new ProcessStartInfo("git", "rev-parse --short HEAD") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        try
        {
            using var process = Process.Start(info);
            if (process is null)
            {
                return "unknown";
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
