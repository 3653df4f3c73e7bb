using System.Diagnostics;

namespace Orleans.Loki.Bench.Generation;

/// <summary>
/// RESULTS.md is shared by several tools, each owning one section between its own <c>&lt;!-- name:begin --&gt;</c> and
/// <c>&lt;!-- name:end --&gt;</c> markers; a tool rewrites only its section and keeps the rest of the file.
/// </summary>
public static class ResultsFile
{
    private const string NewFileHeader = "# Benchmark results\n\nWritten by `bench/run.sh`; see `bench/README.md` for what each figure means.\n\n";

    public static string BeginMarker(string section) => $"<!-- {section}:begin -->";

    public static string EndMarker(string section) => $"<!-- {section}:end -->";

    /// <summary>Replaces section <paramref name="section"/> of <paramref name="path"/> with <paramref name="body"/> (markers added here), or appends it.</summary>
    public static void WriteSection(string path, string section, string body)
    {
        var begin = BeginMarker(section);
        var end = EndMarker(section);
        var block = $"{begin}\n{body.TrimEnd('\n')}\n\n{end}\n";
        var existing = File.Exists(path) ? File.ReadAllText(path) : NewFileHeader;
        var start = existing.IndexOf(begin, StringComparison.Ordinal);
        var stop = existing.IndexOf(end, StringComparison.Ordinal);
        var updated = start >= 0 && stop > start
            ? existing[..start] + block + existing[(stop + end.Length)..].TrimStart('\n')
            : existing.TrimEnd('\n') + "\n\n" + block;
        File.WriteAllText(path, updated);
    }

    /// <summary>Output of <c>git {arguments}</c> in <paramref name="directory"/>, or <c>unknown</c> when git is missing or fails.</summary>
    public static string Git(string directory, string arguments)
    {
        try
        {
            var info = new ProcessStartInfo("git", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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

    /// <summary>Short commit of the repository holding <paramref name="resultsPath"/>.</summary>
    public static string Commit(string resultsPath) => Git(Path.GetDirectoryName(Path.GetFullPath(resultsPath))!, "rev-parse --short HEAD");
}
