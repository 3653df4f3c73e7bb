namespace Orleans.Loki.Bench.Throughput;

/// <summary>One row of the throughput table: an operation over the corpus and the grep that counts the same lines.</summary>
/// <param name="Name">What runs (LogQL text and how).</param>
/// <param name="Bytes">Bytes the operation reads per run.</param>
/// <param name="Lines">Lines the operation reads per run.</param>
/// <param name="Run">One pass; returns the number of lines that passed.</param>
/// <param name="GrepFlags">grep flags for the baseline, or null for none.</param>
/// <param name="GrepPattern">grep pattern for the baseline.</param>
internal sealed record ThroughputCase(string Name, long Bytes, long Lines, Func<long> Run, string? GrepFlags = null, string? GrepPattern = null);

/// <summary>A measured <see cref="ThroughputCase"/>.</summary>
internal sealed record ThroughputResult(ThroughputCase Case, double Seconds, long Count, double? GrepSeconds, long? GrepCount, long GrepBytes)
{
    public double GBps => Case.Bytes / Seconds / 1e9;

    public double MLinesPerSecond => Case.Lines / Seconds / 1e6;

    public double? GrepGBps => GrepSeconds is { } s ? GrepBytes / s / 1e9 : null;
}
