namespace Orleans.Loki.LoadTest;

/// <summary>A command-line baseline over the corpus file.</summary>
/// <param name="Name">What it does (the command, abbreviated).</param>
/// <param name="MedianSeconds">Median wall time, or null when the command failed.</param>
/// <param name="Bytes">Raw bytes it processes (the corpus file size).</param>
/// <param name="Output">Its trimmed standard output (counts for grep), or the error.</param>
internal sealed record Baseline(string Name, double? MedianSeconds, long Bytes, string Output)
{
    /// <summary>Throughput in GB/s of raw bytes; these pipelines use about one core each.</summary>
    public double? GbPerSecond => MedianSeconds is { } s ? Bytes / 1e9 / s : null;
}
