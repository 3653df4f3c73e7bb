namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// Turns log lines into samples for metric queries: one per line (<c>count_over_time</c>...), the line's byte
/// length (<c>bytes_over_time</c>), or an unwrapped label value. Bind to a stream with <see cref="ForStream"/>.
/// </summary>
public sealed class SampleExtractor
{
    private readonly Pipeline _pipeline;
    private readonly IStage[] _postFilters;
    private readonly Dictionary<string, StreamSampleExtractor> _streams = new(StringComparer.Ordinal);

    private SampleExtractor(Pipeline pipeline, SampleKind kind, string? label, UnwrapConversion conversion, IReadOnlyList<IStage>? postFilters, LabelGrouping? grouping)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        Kind = kind;
        UnwrapLabel = label;
        Conversion = conversion;
        _postFilters = postFilters is null ? [] : [.. postFilters];
        var g = grouping ?? LabelGrouping.None;
        // the unwrapped label's value is the sample, not part of the series identity
        Grouping = label is null ? g : g.Excluding(label);
    }

    internal enum SampleKind
    {
        Count,
        Bytes,
        Unwrap,
    }

    internal SampleKind Kind { get; }

    public string? UnwrapLabel { get; }

    public UnwrapConversion Conversion { get; }

    /// <summary>Label reduction applied to the series labels (<c>by</c>/<c>without</c>); unwrap removes the unwrapped label.</summary>
    public LabelGrouping Grouping { get; }

    /// <summary>Value 1 per line passing the pipeline.</summary>
    public static SampleExtractor Count(Pipeline pipeline, LabelGrouping? grouping = null) =>
        new(pipeline, SampleKind.Count, null, UnwrapConversion.None, null, grouping);

    /// <summary>The byte length of each (possibly reformatted) line.</summary>
    public static SampleExtractor Bytes(Pipeline pipeline, LabelGrouping? grouping = null) =>
        new(pipeline, SampleKind.Bytes, null, UnwrapConversion.None, null, grouping);

    /// <summary>The value of <paramref name="label"/> after the pipeline, converted; <paramref name="postFilters"/> run after extraction.</summary>
    public static SampleExtractor Unwrap(Pipeline pipeline, string label, UnwrapConversion conversion, IReadOnlyList<IStage>? postFilters = null, LabelGrouping? grouping = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        return new(pipeline, SampleKind.Unwrap, label, conversion, postFilters, grouping);
    }

    public StreamSampleExtractor ForStream(KeyValuePair<string, string>[] streamLabels)
    {
        var sp = _pipeline.ForStream(streamLabels);
        var key = sp.Labels.LabelsString();
        if (!_streams.TryGetValue(key, out var e))
        {
            e = new StreamSampleExtractor(this, sp, _postFilters);
            _streams.Add(key, e);
        }
        return e;
    }
}
