namespace Orleans.Loki.LoadTest;

/// <summary>Result of running one query several times.</summary>
/// <param name="Spec">The query.</param>
/// <param name="MedianSeconds">Median latency of the successful runs, or null when none succeeded.</param>
/// <param name="Status">HTTP status of the last run.</param>
/// <param name="Message">Error text for non-200 answers; otherwise a short description of the result.</param>
/// <param name="Count">For counting queries: the value returned.</param>
/// <param name="ScannedBytes">Raw line bytes the selector covers.</param>
internal sealed record QueryOutcome(QuerySpec Spec, double? MedianSeconds, int Status, string Message, long? Count, long ScannedBytes)
{
    public double? GbPerSecondPerCore => MedianSeconds is { } s && Spec.Kind != QueryKind.Logs
        ? ScannedBytes / 1e9 / s / Environment.ProcessorCount
        : null;
}
