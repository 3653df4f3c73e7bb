namespace Orleans.Loki.LoadTest;

/// <summary>Outcome of one push phase.</summary>
internal sealed record IngestResult(
    double Seconds,
    long Lines,
    long RawBytes,
    long BodyBytes,
    int Requests,
    IReadOnlyCollection<double> LatenciesMs,
    int Failures,
    string? FirstFailure)
{
    public double RawMbPerSecond => RawBytes / 1e6 / Seconds;

    public double LinesPerSecond => Lines / Seconds;
}
