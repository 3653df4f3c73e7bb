using System.Diagnostics;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// The same bytes through standard tools: cat, lz4 -1 with 256 KiB blocks (ratio and speed), lz4 -dc piped into
/// grep -F / grep -E. Each command runs three times (page cache warm after the first), the median is kept.
/// </summary>
internal sealed class ShellBaselines
{
    private const int Runs = 3;
    private readonly string _file;
    private readonly string _lz4File;
    private readonly long _bytes;

    private ShellBaselines(string file, long bytes)
    {
        _file = file;
        _lz4File = file + ".lz4";
        _bytes = bytes;
    }

    public List<Baseline> Results { get; } = [];

    /// <summary>lz4 -1 -B5 compressed size ratio (raw / compressed), or null when lz4 failed.</summary>
    public double? Lz4Ratio { get; private set; }

    /// <summary>Writes the corpus (lines with newlines) to a temp file and runs every baseline on it.</summary>
    public static async Task<ShellBaselines> RunAsync(Corpus corpus, IEnumerable<QuerySpec> queries)
    {
        var file = Path.Combine(Path.GetTempPath(), "loki-loadtest-corpus-" + Guid.NewGuid().ToString("n")[..8] + ".log");
        await File.WriteAllBytesAsync(file, corpus.Data.AsMemory(0, corpus.DataLength).ToArray()).ConfigureAwait(false);
        var baselines = new ShellBaselines(file, corpus.DataLength);
        try
        {
            await baselines.RunAllAsync(queries).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
            File.Delete(baselines._lz4File);
        }

        return baselines;
    }

    /// <summary>The baseline named <paramref name="name"/>, if it ran.</summary>
    public Baseline? Find(string name) => Results.FirstOrDefault(b => b.Name == name);

    /// <summary>Name of the grep baseline for <paramref name="query"/>.</summary>
    public static string GrepName(QuerySpec query) => $"lz4 -dc | grep {(query.GrepFixed ? "-F" : "-E")} -c '{query.GrepPattern}'";

    private async Task RunAllAsync(IEnumerable<QuerySpec> queries)
    {
        await TimeAsync("cat > /dev/null", $"cat '{_file}' > /dev/null").ConfigureAwait(false);
        await TimeAsync("lz4 -1 -B5 (256 KiB blocks)", $"lz4 -q -1 -B5 -f '{_file}' '{_lz4File}'").ConfigureAwait(false);
        if (File.Exists(_lz4File))
        {
            Lz4Ratio = (double)_bytes / new FileInfo(_lz4File).Length;
        }

        await TimeAsync("lz4 -dc > /dev/null", $"lz4 -q -dc '{_lz4File}' > /dev/null").ConfigureAwait(false);
        foreach (var query in queries)
        {
            if (query.GrepPattern is { } pattern)
            {
                await TimeAsync(GrepName(query), $"lz4 -q -dc '{_lz4File}' | LC_ALL=C grep {(query.GrepFixed ? "-F" : "-E")} -c '{pattern}'").ConfigureAwait(false);
            }
        }
    }

    private async Task TimeAsync(string name, string command)
    {
        var timings = new List<double>();
        var output = "";
        for (var run = 0; run < Runs; run++)
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-o");
            info.ArgumentList.Add("pipefail");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(command);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalSeconds;
            output = (await stdout.ConfigureAwait(false)).Trim();
            // grep -c exits 1 when it counts zero lines; that is a result, not a failure.
            if (process.ExitCode != 0 && !(process.ExitCode == 1 && output == "0"))
            {
                Results.Add(new Baseline(name, null, _bytes, $"exit {process.ExitCode}: {IngestRunner.Truncate(await stderr.ConfigureAwait(false))}"));
                Console.WriteLine($"  baseline {name,-45} failed: {Results[^1].Output}");
                return;
            }

            timings.Add(elapsed);
        }

        Results.Add(new Baseline(name, Stats.Median(timings), _bytes, output));
        Console.WriteLine($"  baseline {name,-45} {Stats.Median(timings) * 1000,8:0.0} ms  {output}");
    }
}
