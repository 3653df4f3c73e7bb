using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Orleans.Loki.Bench;

/// <summary>Runs the benchmarks named in the budget file with a short job and compares their allocations.</summary>
internal static class BudgetChecker
{
    /// <summary>
    /// Returns 0 when every budgeted benchmark ran and stayed within its bytes-per-operation budget. The table also
    /// replaces the micro benchmark section of <paramref name="resultsFile"/> when one is given.
    /// </summary>
    public static int Run(string budgetFile, string? resultsFile)
    {
        var budgets = JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(budgetFile))
            ?? throw new InvalidDataException($"{budgetFile} is empty");
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"))
            .AddFilter(new SimpleFilter(b => budgets.ContainsKey(Name(b))));
        var types = typeof(BudgetChecker).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
            .ToArray();
        var reports = BenchmarkRunner.Run(types, config).SelectMany(s => s.Reports).ToList();

        var failures = 0;
        var rows = new List<BudgetRow>();
        Console.WriteLine();
        Console.WriteLine($"{"benchmark",-50} {"mean ns/op",14} {"allocated B/op",15} {"budget",10}  result");
        foreach (var (name, budget) in budgets.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            var report = reports.FirstOrDefault(r => Name(r.BenchmarkCase) == name);
            var allocated = report is { Success: true } ? Allocated(report) : null;
            var verdict = allocated is null ? "NOT RUN" : allocated <= budget ? "ok" : "OVER BUDGET";
            failures += verdict == "ok" ? 0 : 1;
            var row = new BudgetRow(name, report?.ResultStatistics?.Mean, allocated, budget, verdict);
            rows.Add(row);
            Console.WriteLine($"{name,-50} {row.MeanText,14} {row.AllocatedText,15} {budget,10}  {verdict}");
        }

        Console.WriteLine(failures == 0 ? "All allocation budgets met." : $"{failures} benchmark(s) failed their allocation budget.");
        if (resultsFile is not null)
        {
            MicroResultsMarkdown.Write(resultsFile, rows);
            Console.WriteLine($"updated {resultsFile}");
        }

        return failures == 0 ? 0 : 1;
    }

    private static string Name(BenchmarkCase b) => $"{b.Descriptor.Type.Name}.{b.Descriptor.WorkloadMethod.Name}";

    private static long? Allocated(BenchmarkReport report) => report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
}
