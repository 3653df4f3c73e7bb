namespace Orleans.Loki.LogQL.Log;

/// <summary>A <see cref="Pipeline"/> bound to one stream.</summary>
public sealed class StreamPipeline
{
    private readonly IStage[] _stages;

    private readonly int _leadingFilters;

    internal StreamPipeline(IStage[] stages, int leadingFilters, LabelsBuilder labels)
    {
        _stages = stages;
        _leadingFilters = leadingFilters;
        Labels = labels;
    }

    /// <summary>The builder holding the last processed line's labels.</summary>
    public LabelsBuilder Labels { get; }

    /// <summary>
    /// True when every stage is a leading line filter: a kept line's labels are then its stream's labels and its
    /// structured metadata, whatever the line says.
    /// </summary>
    public bool LabelsFollowMetadata => _leadingFilters == _stages.Length;

    /// <summary>Runs the stages over one entry.</summary>
    /// <remarks>The entry's structured metadata (may be null) is added to the labels first.</remarks>
    /// <returns>false when a stage dropped the line; on true <paramref name="line"/> holds the (possibly rewritten) line.</returns>
    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata) =>
        Process(timestampNs, ref line, metadata, leadingFiltersPassed: false);

    /// <summary>Runs the stages over one entry, skipping the leading line filters when the caller already ran them.</summary>
    /// <param name="timestampNs">Entry time.</param>
    /// <param name="line">The line; replaced by the rewritten line when a stage reformats it.</param>
    /// <param name="metadata">Structured metadata (may be null).</param>
    /// <param name="leadingFiltersPassed">True when the line passed <see cref="Pipeline.LeadingLineFilter"/> (for example over its whole block).</param>
    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata, bool leadingFiltersPassed)
    {
        var labels = Labels;
        labels.Reset();
        if (metadata is not null)
        {
            foreach (var m in metadata)
            {
                labels.SetMetadata(m.Key, m.Value);
            }
        }
        for (var i = leadingFiltersPassed ? _leadingFilters : 0; i < _stages.Length; i++)
        {
            if (!_stages[i].Process(timestampNs, ref line, labels))
            {
                return false;
            }
        }
        return true;
    }
}
