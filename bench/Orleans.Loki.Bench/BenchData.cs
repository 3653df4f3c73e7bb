using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.Bench;

/// <summary>The seeded corpus every micro benchmark draws from (generated once per process).</summary>
internal static class BenchData
{
    /// <summary>Seed shared with the load test, so both measure the same kind of lines.</summary>
    public const int Seed = 20261126;

    private static readonly Lazy<Generation.Corpus> s_corpus = new(() =>
        Generation.Corpus.Generate(Seed, 8L * 1024 * 1024, 12, 1_780_000_000_000_000_000, TimeSpan.FromMinutes(10)));

    /// <summary>8 MiB of logfmt, JSON and nginx lines over 12 streams.</summary>
    public static Generation.Corpus Corpus => s_corpus.Value;

    /// <summary>The first <paramref name="count"/> lines of <paramref name="format"/>.</summary>
    public static byte[][] Lines(LineFormat format, int count) =>
        [.. Corpus.Entries.Where(e => Corpus.Streams[e.Stream].Format == format).Take(count).Select(e => Corpus.Line(e).ToArray())];

    /// <summary>The first <paramref name="count"/> lines in time order, all formats mixed.</summary>
    public static byte[][] MixedLines(int count) => [.. Corpus.Entries.Take(count).Select(e => Corpus.Line(e).ToArray())];
}
