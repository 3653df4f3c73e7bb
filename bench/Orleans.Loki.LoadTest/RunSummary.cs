namespace Orleans.Loki.LoadTest;

/// <summary>Everything one load-test run measured, ready to render.</summary>
internal sealed record RunSummary
{
    public required LoadTestOptions Options { get; init; }
    public required string Target { get; init; }
    public required long CorpusRawBytes { get; init; }
    public required long CorpusLines { get; init; }
    public required int NeedleLines { get; init; }
    public required int Bodies { get; init; }
    public required double DecodeCeilingMbPerSecond { get; init; }
    public required IngestResult FullSpeed { get; init; }

    /// <summary>CPU seconds (user + system) the server used during the full-speed phase.</summary>
    public double? FullSpeedServerCpuSeconds { get; init; }

    /// <summary>The first bodies, pushed at full speed before the measured phase (null with <c>--warmup 0</c>).</summary>
    public IngestResult? Warmup { get; init; }

    public double? WarmupServerCpuSeconds { get; init; }

    /// <summary>CPU seconds the load generator itself used during the full-speed phase (it shares the cores).</summary>
    public double? FullSpeedClientCpuSeconds { get; init; }
    public required IngestResult? HalfRate { get; init; }
    public required double? HalfRateTargetMbPerSecond { get; init; }
    public required long? PeakRssBytes { get; init; }

    /// <summary>VmHWM right after ingest, before <c>/flush</c> and the queries: the memory the write path needed.</summary>
    public long? IngestPeakRssBytes { get; init; }

    /// <summary>VmRSS and unflushed data sampled during ingest (both phases), for the memory target.</summary>
    public MemorySamples? IngestMemory { get; init; }
    public required double? FlushSeconds { get; init; }
    public required string FlushStatus { get; init; }
    public required long? DiskBytes { get; init; }
    public required List<QueryOutcome> Queries { get; init; }
    public required ShellBaselines? Baselines { get; init; }
}
