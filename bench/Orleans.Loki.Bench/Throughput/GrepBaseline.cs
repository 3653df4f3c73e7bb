using System.Diagnostics;

namespace Orleans.Loki.Bench.Throughput;

/// <summary>Runs <c>grep -c</c> (C locale) over a file and measures its CPU time: the same-run baseline for a filter.</summary>
internal static class GrepBaseline
{
    /// <summary>grep's least CPU time (user + system, process start included) over <paramref name="runs"/> runs and its count, or null when grep failed.</summary>
    /// <param name="file">The corpus file.</param>
    /// <param name="flags">grep flags before the pattern, e.g. <c>-F</c>, <c>-E</c>, <c>-F -i</c>.</param>
    /// <param name="pattern">The pattern.</param>
    /// <param name="runs">Timed runs.</param>
    public static (double Seconds, long Count)? Run(string file, string flags, string pattern, int runs)
    {
        var times = new List<double>();
        long count = -1;
        for (var run = 0; run < runs; run++)
        {
            var info = new ProcessStartInfo("grep") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.Environment["LC_ALL"] = "C";
            foreach (var f in flags.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                info.ArgumentList.Add(f);
            }
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("-e");
            info.ArgumentList.Add(pattern);
            info.ArgumentList.Add(file);
            var cpuBefore = CpuClock.ChildrenSeconds();
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            times.Add(CpuClock.ChildrenSeconds() - cpuBefore);
            // grep -c exits 1 when it counts zero lines; that is a result, not a failure.
            if (process.ExitCode > 1 || !long.TryParse(output.Trim(), out count))
            {
                return null;
            }
        }
        return (times.Min(), count);
    }
}
