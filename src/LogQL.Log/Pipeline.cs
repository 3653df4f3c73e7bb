namespace Orleans.Loki.LogQL.Log;

/// <summary>An ordered list of stages; <see cref="ForStream"/> binds it to one stream's labels.</summary>
/// <remarks>Stages keep scratch state, so one pipeline serves one thread at a time.</remarks>
public sealed class Pipeline
{
    private readonly IStage[] _stages;
    private readonly Dictionary<string, StreamPipeline> _streams = new(StringComparer.Ordinal);

    // Callers pass the same label array for every entry of a stream: finding it by reference skips building and
    // formatting a label set per line, also when entries of several streams interleave.
    private readonly Dictionary<KeyValuePair<string, string>[], StreamPipeline> _byReference = new(ReferenceEqualityComparer.Instance);

    // Per-stream pipelines kept at most: a pooled pipeline serves query after query over different streams, and an
    // unbounded cache kept one per stream ever seen (tens of thousands per pooled instance, live for the GC to mark).
    private const int MaxStreams = 4096;

    public Pipeline(IReadOnlyList<IStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = [.. stages];
        var leading = LineFilter.True;
        while (LeadingLineFilterCount < _stages.Length && _stages[LeadingLineFilterCount] is LineFilterStage f)
        {
            leading = LineFilter.And(leading, f.Filter);
            LeadingLineFilterCount++;
        }
        LeadingLineFilter = leading;
    }

    /// <summary>
    /// The line filters before the first other stage, combined: a reader holding a whole decompressed block can run
    /// <see cref="LineFilter.Filter"/> over it once and pass only the surviving lines to
    /// <see cref="StreamPipeline.Process(long, ref ReadOnlySpan{byte}, KeyValuePair{string, string}[], bool)"/>.
    /// </summary>
    public LineFilter LeadingLineFilter { get; }

    /// <summary>How many stages <see cref="LeadingLineFilter"/> covers.</summary>
    public int LeadingLineFilterCount { get; }

    /// <summary>A pipeline without stages: lines pass unchanged with their stream labels.</summary>
    public static Pipeline Noop => new([]);

    public IReadOnlyList<IStage> Stages => _stages;

    public bool IsNoop => _stages.Length == 0;

    /// <summary>
    /// A new per-stream pipeline, not cached: for a caller that binds each stream once per read and keeps the result, so
    /// that a pipeline serving many reads over many streams does not hold one per stream.
    /// </summary>
    public StreamPipeline Bind(KeyValuePair<string, string>[] streamLabels)
    {
        ArgumentNullException.ThrowIfNull(streamLabels);
        return new StreamPipeline(_stages, LeadingLineFilterCount, new LabelsBuilder(streamLabels));
    }

    /// <summary>
    /// The per-stream pipeline, created once per distinct label set and reused (up to <see cref="MaxStreams"/> label sets:
    /// then the cache starts over).
    /// </summary>
    /// <remarks>The label array must not be modified afterwards: arrays already seen are recognised by reference.</remarks>
    public StreamPipeline ForStream(KeyValuePair<string, string>[] streamLabels)
    {
        ArgumentNullException.ThrowIfNull(streamLabels);
        if (_byReference.TryGetValue(streamLabels, out var known))
        {
            return known;
        }
        var builder = new LabelsBuilder(streamLabels);
        var key = builder.LabelsString();
        if (!_streams.TryGetValue(key, out var sp))
        {
            if (_streams.Count >= MaxStreams)
            {
                _streams.Clear();
                _byReference.Clear();
            }
            sp = new StreamPipeline(_stages, LeadingLineFilterCount, builder);
            _streams.Add(key, sp);
        }
        if (_byReference.Count >= MaxStreams)
        {
            _byReference.Clear();
        }
        _byReference.Add(streamLabels, sp);
        return sp;
    }
}
