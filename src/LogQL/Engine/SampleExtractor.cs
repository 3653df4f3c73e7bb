using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>
/// Turns log lines into samples for a range aggregation: runs the pipeline, takes 1 (count/rate/absent), the line's byte
/// length (bytes_*) or the unwrapped label value, runs the unwrap post-filters and drops the unwrapped label.
/// One instance serves one thread at a time (pipeline stages keep scratch state).
/// </summary>
public sealed class SampleExtractor
{
    private readonly Pipeline _pipeline;
    private readonly RangeOp _op;
    private readonly UnwrapExpr? _unwrap;
    private readonly IStage[] _postFilters;

    internal SampleExtractor(Pipeline pipeline, RangeOp op, UnwrapExpr? unwrap, IStage[] postFilters)
    {
        _pipeline = pipeline;
        _op = op;
        _unwrap = unwrap;
        _postFilters = postFilters;
    }

    /// <summary>
    /// True when every line yields the sample 1 and its series labels are its stream's and its structured metadata:
    /// a count or rate without stages or unwrap. Such samples follow from the entries' timestamps and metadata alone.
    /// </summary>
    public bool CountsEveryLine => _unwrap is null && _op is not (RangeOp.BytesOverTime or RangeOp.BytesRate) && _pipeline.IsNoop;

    /// <summary>
    /// Processes one entry of a stream. Returns false when the line is filtered out (or has no value to unwrap);
    /// otherwise the sample value and its series labels (sorted; <c>__error__</c> set when extraction failed).
    /// </summary>
    public bool TryExtract(KeyValuePair<string, string>[] streamLabels, long timestampNs, ReadOnlySpan<byte> line,
        KeyValuePair<string, string>[]? metadata, out double value, out KeyValuePair<string, string>[] labels, out string labelsString)
    {
        labels = [];
        labelsString = "";
        var sp = _pipeline.ForStream(streamLabels);
        if (!TryExtract(sp, timestampNs, line, metadata, out value))
        {
            return false;
        }
        labels = sp.Labels.Labels();
        labelsString = sp.Labels.LabelsString();
        return true;
    }

    /// <summary>The pipeline bound to one stream, for repeated <see cref="TryExtract(StreamPipeline, long, ReadOnlySpan{byte}, KeyValuePair{string, string}[], out double)"/> calls.</summary>
    public StreamPipeline ForStream(KeyValuePair<string, string>[] streamLabels) => _pipeline.ForStream(streamLabels);

    /// <summary>As <see cref="ForStream"/>, not cached (see <see cref="Pipeline.Bind"/>).</summary>
    public StreamPipeline Bind(KeyValuePair<string, string>[] streamLabels) => _pipeline.Bind(streamLabels);

    /// <summary>
    /// As the other overload for a stream bound once with <see cref="ForStream"/>: on true the series labels are in
    /// <c>stream.Labels</c> until the next call.
    /// </summary>
    public bool TryExtract(StreamPipeline stream, long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata, out double value)
    {
        ArgumentNullException.ThrowIfNull(stream);
        value = 0;
        if (!stream.Process(timestampNs, ref line, metadata))
        {
            return false;
        }
        var lb = stream.Labels;
        if (_unwrap is null)
        {
            value = _op is RangeOp.BytesOverTime or RangeOp.BytesRate ? line.Length : 1;
            return true;
        }
        if (!lb.TryGet(_unwrap.Identifier, out var raw) || raw.Length == 0)
        {
            // A line without the unwrapped label yields no sample.
            return false;
        }
        if (!TryConvert(_unwrap.Conversion, raw, out value, out var error))
        {
            // As Loki: replaces an earlier error (a label filter's), details included.
            lb.SetError(PipelineErrors.SampleExtraction, error);
        }
        foreach (var f in _postFilters)
        {
            if (!f.Process(timestampNs, ref line, lb))
            {
                return false;
            }
        }
        lb.Delete(_unwrap.Identifier);
        return true;
    }

    private static bool TryConvert(Syntax.UnwrapConversion conversion, string raw, out double value, out string? error)
    {
        error = null;
        switch (conversion)
        {
            case Syntax.UnwrapConversion.Bytes:
                if (GoBytes.TryParse(raw, out var b))
                {
                    value = b;
                    return true;
                }
                break;
            case Syntax.UnwrapConversion.Duration or Syntax.UnwrapConversion.DurationSeconds:
                // Go's time.ParseDuration exactly: no d/w/y units (Loki fails "1d" with SampleExtractionErr).
                if (GoDuration.TryParse(raw, out var ns, out error))
                {
                    value = ns / 1e9;
                    return true;
                }
                value = 0;
                return false;
            default:
                if (GoFloat.TryParse(raw, out value, out error))
                {
                    return true;
                }
                return false;
        }
        value = 0;
        error = $"strconv.ParseFloat: parsing {GoQuote.Quote(raw)}: invalid syntax";
        return false;
    }
}

/// <summary>Builds the <see cref="SampleExtractor"/> of a range aggregation (used next to the data by the storage layer).</summary>
public static class SampleExtractorBuilder
{
    /// <summary>The extractor for <paramref name="expr"/>'s selector, pipeline and unwrap.</summary>
    public static SampleExtractor Build(RangeAggregationExpr expr) => Build(expr, null);

    /// <summary>The extractor for a sample request, with its parser hints (<see cref="SelectSampleParams.RequiredLabels"/>).</summary>
    public static SampleExtractor Build(SelectSampleParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Build(p.Expr, p.RequiredLabels is null ? null : new ParserHints(p.RequiredLabels));
    }

    private static SampleExtractor Build(RangeAggregationExpr expr, ParserHints? hints)
    {
        var range = expr.Left;
        var post = range.Unwrap?.PostFilters.Select(f => (IStage)PipelineBuilder.BuildLabelFilter(f)).ToArray() ?? [];
        return new SampleExtractor(PipelineBuilder.Build(range.Left, hints), expr.Operation, range.Unwrap, post);
    }
}
