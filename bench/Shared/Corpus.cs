namespace Orleans.Loki.Bench.Generation;

/// <summary>
/// A seeded corpus of log lines over a fixed number of streams. <see cref="Data"/> holds every line followed by a
/// newline, in time order, so it can be written as-is to a file for the command-line baselines (cat, lz4, grep).
/// </summary>
public sealed class Corpus
{
    /// <summary>
    /// The rare token. Generated lines contain hex, digits and words, never this one, so its count is known exactly.
    /// </summary>
    public const string Needle = "zq7needlex42";

    /// <summary>Uncompressed block size the needle rate is planned for (the chunk block size).</summary>
    public const int PlannedBlockBytes = 256 * 1024;

    private Corpus(byte[] data, CorpusEntry[] entries, CorpusStream[] streams, int needleCount)
    {
        Data = data;
        Entries = entries;
        Streams = streams;
        NeedleCount = needleCount;
    }

    /// <summary>All lines, each followed by '\n'. Only the first <see cref="DataLength"/> bytes are used.</summary>
    public byte[] Data { get; }

    /// <summary>Bytes of <see cref="Data"/> in use.</summary>
    public int DataLength => Entries.Length == 0 ? 0 : Entries[^1].Offset + Entries[^1].Length + 1;

    /// <summary>Every line, in timestamp order.</summary>
    public CorpusEntry[] Entries { get; }

    /// <summary>The streams the entries refer to.</summary>
    public CorpusStream[] Streams { get; }

    /// <summary>How many lines carry <see cref="Needle"/>.</summary>
    public int NeedleCount { get; }

    /// <summary>Sum of line lengths (without newlines): what Loki counts as ingested bytes.</summary>
    public long RawBytes => Entries.Sum(e => (long)e.Length);

    /// <summary>Timestamp of the first entry.</summary>
    public long StartNs => Entries[0].TimestampNs;

    /// <summary>Timestamp of the last entry.</summary>
    public long EndNs => Entries[^1].TimestampNs;

    /// <summary>The line bytes of <paramref name="entry"/>.</summary>
    public ReadOnlyMemory<byte> Line(in CorpusEntry entry) => Data.AsMemory(entry.Offset, entry.Length);

    /// <summary>
    /// Generates about <paramref name="targetBytes"/> of lines over <paramref name="streamCount"/> streams (formats
    /// rotate logfmt, JSON, nginx), with timestamps spread evenly over <c>[endNs - span, endNs]</c>. The needle goes
    /// into one line per ~200 planned blocks (at least one line), so fewer than 1% of blocks contain it.
    /// </summary>
    public static Corpus Generate(int seed, long targetBytes, int streamCount, long endNs, TimeSpan span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(streamCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetBytes, (long)Array.MaxLength - LineGenerator.MaxLineBytes);
        var random = new Random(seed);
        var generator = new LineGenerator(random);
        var streams = new CorpusStream[streamCount];
        for (var i = 0; i < streamCount; i++)
        {
            var format = (LineFormat)(i % 3 + 1);
            streams[i] = new CorpusStream(format,
            [
                new("job", "loadtest"),
                new("app", $"svc-{i:D3}"),
                new("namespace", $"ns-{i % 5}"),
                new("format", format.ToString().ToLowerInvariant()),
            ]);
        }

        var plannedBlocks = Math.Max(1, targetBytes / PlannedBlockBytes);
        var needleCount = (int)Math.Max(1, plannedBlocks / 200);
        var nextNeedleAt = targetBytes / needleCount / 2;
        var needlesWritten = 0;

        var data = new byte[targetBytes + LineGenerator.MaxLineBytes];
        // The line count is only known at the end; estimate 180 bytes/line for the timestamp spacing.
        var estimatedLines = Math.Max(1, targetBytes / 180);
        var stepNs = Math.Max(1, span.Ticks * 100 / estimatedLines);
        var entries = new List<CorpusEntry>((int)estimatedLines + 16);
        var offset = 0;
        var ts = endNs - span.Ticks * 100;
        while (offset < targetBytes)
        {
            var stream = random.Next(streamCount);
            string? needle = null;
            if (needlesWritten < needleCount && offset >= nextNeedleAt)
            {
                needle = Needle;
                needlesWritten++;
                nextNeedleAt += targetBytes / needleCount;
            }

            var length = generator.Write(streams[stream].Format, ts, needle, data.AsSpan(offset, LineGenerator.MaxLineBytes));
            entries.Add(new CorpusEntry(stream, ts, offset, length));
            data[offset + length] = (byte)'\n';
            offset += length + 1;
            ts = Math.Min(endNs, ts + stepNs);
        }

        return new Corpus(data, [.. entries], streams, needlesWritten);
    }
}
