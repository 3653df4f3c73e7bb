using Orleans.Loki.Chunks;
using LogEntry = Orleans.Loki.Chunks.LogEntry;
using Orleans.Loki.LogQL.Log;
using SampleExtractor = Orleans.Loki.LogQL.Engine.SampleExtractor;

namespace Orleans.Loki.Grains.Querier;

/// <summary>
/// Runs one stream's raw entries through the sub-query: the pipeline into a <see cref="LogCollector"/>, or the sample
/// extractor into a <see cref="SampleCollector"/>. Lines stay spans; only selected ones become strings. The stream is
/// bound to the pooled pipeline without the pipeline's cache (<c>Bind</c>): a read binds each stream once, and pooled
/// pipelines serve reads over any number of streams.
/// </summary>
internal sealed class EntryProcessor : IEntryVisitor, ITimestampVisitor
{
    // Timestamp-only scans: the current block's metadata sets and, once resolved, each one's series (null: dropped).
    private KeyValuePair<string, string>[]?[] _blockSets = [];
    private SampleCollector.Series?[] _setSeries = [];
    private bool[] _setResolved = [];

    private readonly StreamPipeline _stream;
    private readonly SampleExtractor? _extractor;
    private readonly bool _backward;

    /// <summary>Delete requests of the tenant that apply to this stream: their lines are dropped before the pipeline.</summary>
    private Compactor.DeleteFilter? _deletes;

    private EntryProcessor(StreamPipeline stream, SampleExtractor? extractor, LogCollector? logs, SampleCollector? samples, bool backward, ExportCollector? export = null)
    {
        _deletes = null;
        Export = export;
        _stream = stream;
        _extractor = extractor;
        Logs = logs;
        Samples = samples;
        _backward = backward;
    }

    public LogCollector? Logs { get; }

    public SampleCollector? Samples { get; }

    /// <summary>Export sub-queries: every selected entry, in no order (sorted when the scan is done).</summary>
    public ExportCollector? Export { get; }

    /// <summary>Lines processed.</summary>
    public long Lines { get; private set; }

    /// <summary>Bytes of the lines processed.</summary>
    public long Bytes { get; private set; }

    public static EntryProcessor ForLogs(Pipeline pipeline, KeyValuePair<string, string>[] labels, LogCollector logs, bool backward,
        IReadOnlyList<Abstractions.DeleteFilterSpec>? deletes = null) =>
        new(pipeline.Bind(labels), null, logs, null, backward) { _deletes = Compactor.DeleteFilter.ForStream(deletes, labels) };

    public static EntryProcessor ForSamples(SampleExtractor extractor, KeyValuePair<string, string>[] labels, SampleCollector samples,
        IReadOnlyList<Abstractions.DeleteFilterSpec>? deletes = null) =>
        new(extractor.Bind(labels), extractor, null, samples, backward: false) { _deletes = Compactor.DeleteFilter.ForStream(deletes, labels) };

    public static EntryProcessor ForExport(Pipeline pipeline, KeyValuePair<string, string>[] labels, ExportCollector export,
        IReadOnlyList<Abstractions.DeleteFilterSpec>? deletes = null) =>
        new(pipeline.Bind(labels), null, null, null, backward: false, export) { _deletes = Compactor.DeleteFilter.ForStream(deletes, labels) };

    /// <summary>
    /// True when a sample is 1 per entry with its stream's and metadata's labels (a count or rate without stages, and
    /// no delete requests): blocks can then be read with <see cref="BlockScanner.ScanTimestamps"/>, without their lines.
    /// </summary>
    public bool CountsFromTimestamps => Samples is not null && Export is null && _deletes is null && _extractor!.CountsEveryLine;

    /// <summary>Adds line bytes counted by a timestamp-only scan.</summary>
    public void AddBytes(long bytes) => Bytes += bytes;

    public void BeginBlock(KeyValuePair<string, string>[]?[] metadataSets)
    {
        _blockSets = metadataSets;
        if (_setSeries.Length < metadataSets.Length)
        {
            _setSeries = new SampleCollector.Series?[metadataSets.Length];
            _setResolved = new bool[metadataSets.Length];
        }
        else
        {
            Array.Clear(_setSeries);
            Array.Clear(_setResolved);
        }
    }

    public void Visit(long timestampNs, int metadataSet)
    {
        Lines++;
        if (!_setResolved[metadataSet])
        {
            // The series of every entry with this metadata: what the full path finds for the first of them (without
            // stages the line plays no part).
            _setSeries[metadataSet] = _extractor!.TryExtract(_stream, timestampNs, [], _blockSets[metadataSet], out _)
                ? Samples!.Find(_stream.Labels)
                : null;
            _setResolved[metadataSet] = true;
        }
        _setSeries[metadataSet]?.Add(timestampNs, 1);
    }

    /// <summary>True when nothing at <paramref name="ts"/> or beyond it (in direction) can be selected any more.</summary>
    public bool Rejects(long ts) => Logs is not null && Logs.Rejects(ts);

    public bool Visit(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
    {
        if (_deletes is not null && _deletes.Deletes(timestampNs, line, metadata))
        {
            return true;
        }
        if (Logs is not null)
        {
            if (Logs.Rejects(timestampNs))
            {
                // Blocks are scanned oldest first: a forward query is done with the block, a backward one reaches
                // newer entries further on.
                return _backward;
            }
            Lines++;
            Bytes += line.Length;
            var processed = line;
            if (_stream.Process(timestampNs, ref processed, metadata))
            {
                Logs.Offer(timestampNs, _stream.Labels, processed);
            }
            return true;
        }
        Lines++;
        Bytes += line.Length;
        if (Export is not null)
        {
            var selected = line;
            if (_stream.Process(timestampNs, ref selected, metadata))
            {
                if (_stream.LabelsFollowMetadata)
                {
                    Export.Add(timestampNs, _stream.Labels, selected, metadata);
                }
                else
                {
                    Export.Add(timestampNs, _stream.Labels, selected);
                }
            }
            return true;
        }
        if (_extractor!.TryExtract(_stream, timestampNs, line, metadata, out var value))
        {
            Samples!.Add(_stream.Labels, timestampNs, value);
        }
        return true;
    }

    /// <summary>Processes materialised entries (ascending), in query direction.</summary>
    public void VisitAll(List<LogEntry> ascending)
    {
        if (_backward)
        {
            for (var i = ascending.Count - 1; i >= 0; i--)
            {
                if (Rejects(ascending[i].TimestampNs))
                {
                    return;
                }
                Visit(ascending[i].TimestampNs, ascending[i].Line.Span, ascending[i].Metadata);
            }
            return;
        }
        foreach (var e in ascending)
        {
            if (!Visit(e.TimestampNs, e.Line.Span, e.Metadata))
            {
                return;
            }
        }
    }
}
