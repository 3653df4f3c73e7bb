using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A <see cref="SampleExtractor"/> bound to one stream.</summary>
public sealed class StreamSampleExtractor
{
    private readonly SampleExtractor _owner;
    private readonly StreamPipeline _pipeline;
    private readonly IStage[] _postFilters;

    // Series labels are cached while the builder reports no per-line change (streams without parsers).
    private string? _baseSeries;

    internal StreamSampleExtractor(SampleExtractor owner, StreamPipeline pipeline, IStage[] postFilters)
    {
        _owner = owner;
        _pipeline = pipeline;
        _postFilters = postFilters;
    }

    /// <summary>
    /// Runs the pipeline over one entry and extracts its sample. Returns false when the line is filtered out
    /// (or the unwrapped label is missing/empty, as in Loki). Read the series from <paramref name="labels"/> or <see cref="SeriesLabelsString"/>.
    /// </summary>
    public bool Process(long timestampNs, ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata, out double value, out LabelsBuilder labels)
    {
        labels = _pipeline.Labels;
        value = 0;
        if (!_pipeline.Process(timestampNs, ref line, metadata))
        {
            return false;
        }
        switch (_owner.Kind)
        {
            case SampleExtractor.SampleKind.Count:
                value = 1;
                return true;
            case SampleExtractor.SampleKind.Bytes:
                value = line.Length;
                return true;
        }
        var raw = labels.GetOrEmpty(_owner.UnwrapLabel!);
        if (raw.Length == 0)
        {
            // a line without the unwrapped label is skipped, not an error
            return false;
        }
        if (!TryConvert(raw, _owner.Conversion, out value, out var error))
        {
            labels.SetError(PipelineErrors.SampleExtraction, error);
        }
        foreach (var f in _postFilters)
        {
            if (!f.Process(timestampNs, ref line, labels))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The series labels of the last processed line after the extractor's grouping, sorted.</summary>
    public KeyValuePair<string, string>[] SeriesLabels() => _pipeline.Labels.Labels(_owner.Grouping);

    /// <summary>Canonical string of <see cref="SeriesLabels"/>; cached for lines that did not change the stream's labels.</summary>
    public string SeriesLabelsString()
    {
        var b = _pipeline.Labels;
        if (b.IsUnchanged)
        {
            return _baseSeries ??= LabelsBuilder.Format(b.Labels(_owner.Grouping));
        }
        return LabelsBuilder.Format(b.Labels(_owner.Grouping));
    }

    internal static bool TryConvert(string s, UnwrapConversion conversion, out double value, out string? error)
    {
        switch (conversion)
        {
            case UnwrapConversion.Duration or UnwrapConversion.DurationSeconds:
                if (GoDuration.TryParse(s, out var ns, out error))
                {
                    value = ns / 1e9;
                    return true;
                }
                value = 0;
                return false;
            case UnwrapConversion.Bytes:
                if (GoBytes.TryParse(s, out var b, out error))
                {
                    value = b;
                    return true;
                }
                value = 0;
                return false;
            default:
                return GoFloat.TryParse(s, out value, out error);
        }
    }
}
