namespace Orleans.Loki.Bench.Generation;

/// <summary>One generated log line: a slice of <see cref="Corpus.Data"/> (without its newline).</summary>
/// <param name="Stream">Index into <see cref="Corpus.Streams"/>.</param>
/// <param name="TimestampNs">Unix time in nanoseconds; entries are in time order across the whole corpus.</param>
/// <param name="Offset">Byte offset of the line in <see cref="Corpus.Data"/>.</param>
/// <param name="Length">Line length in bytes.</param>
public readonly record struct CorpusEntry(int Stream, long TimestampNs, int Offset, int Length);
