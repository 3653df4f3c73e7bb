namespace Orleans.Loki.LogQL.Log;

/// <summary>An ordered list of stages; <see cref="ForStream"/> binds it to one stream's labels.</summary>
/// <remarks>Stages keep scratch state, so one pipeline serves one thread at a time.</remarks>
public sealed class Pipeline
{
    private readonly IStage[] _stages;
    private readonly Dictionary<string, StreamPipeline> _streams = new(StringComparer.Ordinal);

    public Pipeline(IReadOnlyList<IStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = [.. stages];
    }

    /// <summary>A pipeline without stages: lines pass unchanged with their stream labels.</summary>
    public static Pipeline Noop => new([]);

    public IReadOnlyList<IStage> Stages => _stages;

    public bool IsNoop => _stages.Length == 0;

    /// <summary>The per-stream pipeline, created once per distinct label set and reused.</summary>
    public StreamPipeline ForStream(KeyValuePair<string, string>[] streamLabels)
    {
        ArgumentNullException.ThrowIfNull(streamLabels);
        var builder = new LabelsBuilder(streamLabels);
        var key = builder.LabelsString();
        if (!_streams.TryGetValue(key, out var sp))
        {
            sp = new StreamPipeline(_stages, builder);
            _streams.Add(key, sp);
        }
        return sp;
    }
}
