namespace Orleans.Loki.LogQL.Log;

/// <summary>One step of a log pipeline (filter, parser, formatter...).</summary>
/// <remarks>
/// Stages may own scratch buffers: a pipeline and its stages serve one thread at a time, and a line
/// replaced by a stage is only valid until the next call.
/// </remarks>
public interface IStage
{
    /// <summary>Processes one line. A stage that rewrites the line assigns a span over its own buffer to <paramref name="line"/>.</summary>
    /// <returns>false to drop the line.</returns>
    bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels);
}
