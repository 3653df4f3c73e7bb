using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Orleans.Loki.Bench;

// `--check-budgets`: short in-process run of the budgeted benchmarks, non-zero exit when one allocates too much.
// Anything else goes to BenchmarkDotNet's switcher (`--filter *Chunk*`, `--job short`, ...), in-process by default
// because the generated out-of-process project would inherit this repository's warnings-as-errors build rules.
if (args.Contains("--check-budgets"))
{
    return BudgetChecker.Run(Path.Combine(AppContext.BaseDirectory, "allocation-budgets.json"));
}

if (!args.Contains("--inProcess"))
{
    args = [.. args, "--inProcess"];
}

if (!args.Contains("--artifacts"))
{
    args = [.. args, "--artifacts", Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts")];
}

if (!args.Contains("--filter"))
{
    args = [.. args, "--filter", "*"];
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchData).Assembly).Run(args, DefaultConfig.Instance);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
