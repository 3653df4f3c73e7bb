using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Orleans.Loki.Bench;

// `--check-budgets`: short in-process run of the budgeted benchmarks, non-zero exit when one allocates too much.
// Anything else goes to BenchmarkDotNet's switcher (`--filter *Chunk*`, `--job short`, ...), in-process by default
// because the generated out-of-process project would inherit this repository's warnings-as-errors build rules.
// `--results <file>` also writes the table into that markdown file (bench/run.sh passes bench/RESULTS.md).
if (args.Contains("--check-budgets"))
{
    var results = Array.IndexOf(args, "--results") is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    return BudgetChecker.Run(Path.Combine(AppContext.BaseDirectory, "allocation-budgets.json"), results);
}

// `--throughput [--only <text>]`: filters and parsers in GB/s and lines/s next to a same-run grep over the same bytes.
if (args.Contains("--throughput"))
{
    var results = Array.IndexOf(args, "--results") is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    var only = Array.IndexOf(args, "--only") is var o and >= 0 && o + 1 < args.Length ? args[o + 1] : null;
    return Orleans.Loki.Bench.Throughput.ThroughputRunner.Run(results, only);
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
