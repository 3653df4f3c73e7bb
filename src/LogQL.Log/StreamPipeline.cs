namespace Orleans.Loki.LogQL.Log;

/// <summary>A <see cref="Pipeline"/> bound to one stream.</summary>
public sealed class StreamPipeline
{
    private readonly IStage[] _stages;

    internal StreamPipeline(IStage[] stages, LabelsBuilder labels)
    {
        _stages = stages;
        Labels = labels;
    }

    /// <summary>The builder holding the last processed line's labels.</summary>
    public LabelsBuilder Labels { get; }

    /// <summary>Runs the stages over one entry.</summary>
    /// <remarks>The entry's structured metadata (may be null) is added to the labels first.</remarks>
    /// <returns>false when a stage dropped the line; on true <paramref name="line"/> holds the (possibly rewritten) line.</returns>
    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, KeyValuePair<string, string>[]? metadata)
    {
        var labels = Labels;
        labels.Reset();
        if (metadata is not null)
        {
            foreach (var m in metadata)
            {
                labels.Set(LabelCategory.StructuredMetadata, m.Key, m.Value);
            }
        }
        foreach (var stage in _stages)
        {
            if (!stage.Process(timestampNs, ref line, labels))
            {
                return false;
            }
        }
        return true;
    }
}
