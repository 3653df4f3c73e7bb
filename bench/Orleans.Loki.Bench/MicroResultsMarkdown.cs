using System.Globalization;
using System.Text;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.Bench;

/// <summary>Replaces the micro benchmark section of RESULTS.md (between its markers), keeping the rest of the file.</summary>
internal static class MicroResultsMarkdown
{
    public static void Write(string path, IReadOnlyList<BudgetRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Micro benchmarks (`--check-budgets`: BenchmarkDotNet short job, in-process)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; commit `{ResultsFile.Commit(path)}`; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        sb.AppendLine("- short job = 3 warm-up + 3 measured iterations: the means are indicative (±20% on a shared machine); allocations are exact");
        sb.AppendLine();
        sb.AppendLine("| benchmark | mean ns/op | allocated B/op | budget B/op | |");
        sb.AppendLine("|---|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| `{row.Name}` | {row.MeanText} | {row.AllocatedText} | {row.Budget} | {row.Verdict} |");
        }

        ResultsFile.WriteSection(path, "micro", sb.ToString());
    }

}
