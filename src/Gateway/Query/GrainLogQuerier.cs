using System.Runtime.CompilerServices;
using System.Text;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// The LogQL engine's data source over the cluster: series from the index grains, entries from querier grains
/// (flushed chunks + unflushed heads, de-duplicated), then the selector's pipeline or sample extractor per stream.
/// One instance serves one query of one tenant.
/// </summary>
public sealed class GrainLogQuerier(GrainDataSource data, string tenant) : ILogQuerier
{
    public long LinesProcessed { get; private set; }
    public long BytesProcessed { get; private set; }
    public long ChunksRead { get; private set; }

    public async IAsyncEnumerable<ResultStream> SelectLogsAsync(SelectLogParams p, [EnumeratorCancellation] CancellationToken ct)
    {
        var streams = await ReadAsync(p.Selector, p.StartNs, p.EndNs, ct).ConfigureAwait(false);
        var pipeline = PipelineBuilder.Build(p.Selector);
        var byLabels = new Dictionary<string, ResultStream>(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            ct.ThrowIfCancellationRequested();
            var sp = pipeline.ForStream(Pairs(stream.Labels));
            foreach (var entry in EntryBatch.Decode(stream.Batch))
            {
                LinesProcessed++;
                BytesProcessed += entry.Line.Length;
                var line = entry.Line.Span;
                if (!sp.Process(entry.TimestampNs, ref line, entry.Metadata))
                {
                    continue;
                }
                var key = sp.Labels.LabelsString();
                if (!byLabels.TryGetValue(key, out var rs))
                {
                    rs = new ResultStream(sp.Labels.Labels(), key, []);
                    byLabels.Add(key, rs);
                }
                var categorized = sp.Labels.Categorized();
                rs.Entries.Add(new Orleans.Loki.LogQL.Engine.LogEntry(entry.TimestampNs, Encoding.UTF8.GetString(line), categorized.StructuredMetadata, categorized.Parsed));
            }
        }
        foreach (var rs in byLabels.Values)
        {
            // Streams from several sources may interleave once the pipeline merges them under one label set.
            rs.Entries.Sort(static (a, b) => a.TimestampNs.CompareTo(b.TimestampNs));
            if (p.Direction == Direction.Backward)
            {
                rs.Entries.Reverse();
            }
            yield return rs;
        }
    }

    public async IAsyncEnumerable<SampleSeries> SelectSamplesAsync(SelectSampleParams p, [EnumeratorCancellation] CancellationToken ct)
    {
        var selector = p.Expr.Left.Left;
        var streams = await ReadAsync(selector, p.StartNs, p.EndNs, ct).ConfigureAwait(false);
        var extractor = SampleExtractorBuilder.Build(p);
        var bySeries = new Dictionary<string, SampleSeries>(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            ct.ThrowIfCancellationRequested();
            var labels = Pairs(stream.Labels);
            foreach (var entry in EntryBatch.Decode(stream.Batch))
            {
                LinesProcessed++;
                BytesProcessed += entry.Line.Length;
                if (!extractor.TryExtract(labels, entry.TimestampNs, entry.Line.Span, entry.Metadata, out var value, out var seriesLabels, out var key))
                {
                    continue;
                }
                if (!bySeries.TryGetValue(key, out var series))
                {
                    series = new SampleSeries(seriesLabels, key, []);
                    bySeries.Add(key, series);
                }
                series.Samples.Add(new SamplePoint(entry.TimestampNs, value));
            }
        }
        foreach (var s in bySeries.Values)
        {
            s.Samples.Sort(static (a, b) => a.TimestampNs.CompareTo(b.TimestampNs));
            yield return s;
        }
    }

    private async Task<List<StreamData>> ReadAsync(LogSelectorExpr selector, long startNs, long endNs, CancellationToken ct)
    {
        var series = await data.LookupAsync(tenant, ToSpecs(selector.Matchers), startNs, endNs, ct).ConfigureAwait(false);
        var streams = await data.ReadAsync(tenant, series, startNs, endNs, selector.RequiredLiterals, ct).ConfigureAwait(false);
        foreach (var s in streams)
        {
            ChunksRead += s.ChunksRead;
        }
        return streams;
    }

    public static List<MatcherSpec> ToSpecs(IEnumerable<LabelMatcher> matchers)
    {
        var specs = new List<MatcherSpec>();
        foreach (var m in matchers)
        {
            specs.Add(new MatcherSpec(m.Name, LabelMatcher.OperatorText(m.Type), m.Value));
        }
        return specs;
    }

    private static KeyValuePair<string, string>[] Pairs(string labels) =>
        LabelSet.TryParse(labels, out var pairs, out var error)
            ? pairs
            : throw new InvalidOperationException($"stored labels '{labels}' do not parse: {error}");
}
