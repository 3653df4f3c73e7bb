using Microsoft.Extensions.Logging;

namespace Orleans.Loki.Grains.Ingester;

internal sealed partial class StreamGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Flush on deactivation of stream {Tenant}/{Stream} failed; the WAL keeps the data")]
    private static partial void LogDeactivationFlushFailed(ILogger logger, Exception exception, string tenant, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flush of stream {Tenant}/{Stream} failed; retrying on the next flush check")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string tenant, string stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed WAL of stream {Tenant}/{Stream}: {Segments} segments, {Entries} entries, {TornTails} torn tails ignored")]
    private static partial void LogReplayed(ILogger logger, string tenant, string stream, int segments, int entries, int tornTails);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream {Tenant}/{Stream} head chunk flush: {Reason}")]
    private static partial void LogFlushDecision(ILogger logger, string tenant, string stream, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Flushed chunk {Key} of stream {Tenant}/{Stream}: {Entries} entries, {Bytes} bytes")]
    private static partial void LogChunkFlushed(ILogger logger, string tenant, string stream, string key, int entries, int bytes);
}
