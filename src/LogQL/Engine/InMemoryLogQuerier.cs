using System.Runtime.CompilerServices;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// An <see cref="ILogQuerier"/> over streams held in memory: applies the selector, the pipeline and sample extraction
/// exactly as the storage layer does next to the data. Used by tests and to evaluate one slice of data.
/// </summary>
public sealed class InMemoryLogQuerier : ILogQuerier
{
    private readonly List<(KeyValuePair<string, string>[] Labels, List<InputEntry> Entries)> _streams = [];

    /// <summary>Holds <paramref name="streams"/>; labels are sorted by name and entries by time.</summary>
    public InMemoryLogQuerier(IEnumerable<InputStream> streams)
    {
        foreach (var s in streams)
        {
            var labels = s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToArray();
            _streams.Add((labels, s.Entries.OrderBy(e => e.TimestampNs).ToList()));
        }
    }

    private IEnumerable<(KeyValuePair<string, string>[] Labels, List<InputEntry> Entries)> Matching(Syntax.LogSelectorExpr selector)
    {
        foreach (var stream in _streams)
        {
            if (LabelMatcher.MatchesAll(selector.Matchers, stream.Labels))
            {
                yield return stream;
            }
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ResultStream> SelectLogsAsync(SelectLogParams p, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var pipeline = PipelineBuilder.Build(p.Selector);
        var byLabels = new Dictionary<string, ResultStream>(StringComparer.Ordinal);
        foreach (var (labels, entries) in Matching(p.Selector))
        {
            ct.ThrowIfCancellationRequested();
            var sp = pipeline.ForStream(labels);
            foreach (var e in entries)
            {
                if (e.TimestampNs < p.StartNs || e.TimestampNs >= p.EndNs)
                {
                    continue;
                }
                ReadOnlySpan<byte> line = Encoding.UTF8.GetBytes(e.Line);
                if (!sp.Process(e.TimestampNs, ref line, e.StructuredMetadata))
                {
                    continue;
                }
                var key = sp.Labels.LabelsString();
                if (!byLabels.TryGetValue(key, out var rs))
                {
                    rs = new ResultStream(sp.Labels.Labels(), key, []);
                    byLabels.Add(key, rs);
                }
                var cat = sp.Labels.Categorized();
                rs.Entries.Add(new LogEntry(e.TimestampNs, Encoding.UTF8.GetString(line), cat.StructuredMetadata, cat.Parsed));
            }
        }
        foreach (var rs in byLabels.Values)
        {
            if (p.Direction == Direction.Backward)
            {
                rs.Entries.Reverse();
            }
            yield return rs;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<SampleSeries> SelectSamplesAsync(SelectSampleParams p, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var extractor = SampleExtractorBuilder.Build(p);
        var bySeries = new Dictionary<string, SampleSeries>(StringComparer.Ordinal);
        foreach (var (labels, entries) in Matching(p.Expr.Left.Left))
        {
            ct.ThrowIfCancellationRequested();
            foreach (var e in entries)
            {
                if (e.TimestampNs < p.StartNs || e.TimestampNs >= p.EndNs)
                {
                    continue;
                }
                if (!extractor.TryExtract(labels, e.TimestampNs, Encoding.UTF8.GetBytes(e.Line), e.StructuredMetadata, out var value, out var seriesLabels, out var key))
                {
                    continue;
                }
                if (!bySeries.TryGetValue(key, out var series))
                {
                    series = new SampleSeries(seriesLabels, key, []);
                    bySeries.Add(key, series);
                }
                series.Samples.Add(new SamplePoint(e.TimestampNs, value));
            }
        }
        foreach (var s in bySeries.Values)
        {
            s.Samples.Sort((a, b) => a.TimestampNs.CompareTo(b.TimestampNs));
            yield return s;
        }
    }
}
