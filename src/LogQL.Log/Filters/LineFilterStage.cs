namespace Orleans.Loki.LogQL.Log;

/// <summary>Runs a <see cref="LineFilter"/> as a pipeline stage.</summary>
public sealed class LineFilterStage(LineFilter filter) : IStage
{
    public LineFilter Filter { get; } = filter ?? throw new ArgumentNullException(nameof(filter));

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels) => Filter.Matches(line);
}
