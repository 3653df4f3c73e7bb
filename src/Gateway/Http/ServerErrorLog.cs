using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orleans.Loki.Gateway.Http;

/// <summary>
/// Logs a server-side failure once per cause (exception type, message and route) with its stack, then at most once
/// per <see cref="Window"/> with the number of repeats left out in between, so that a failing dependency (a silo
/// going away) yields a few lines instead of a stack per request.
/// </summary>
public sealed class ServerErrorLog(ILogger<ServerErrorLog> logger, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private const int MaxCauses = 1024;

    private readonly ConcurrentDictionary<string, Cause> _causes = new(StringComparer.Ordinal);

    /// <summary>Logs <paramref name="error"/> unless its cause was logged within the window; returns whether it was logged.</summary>
    public bool Log(Exception error, string method, string route)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message;
        var newline = message.IndexOf('\n');
        var key = $"{error.GetType().FullName}|{route}|{(newline >= 0 ? message[..newline] : message)}";
        if (_causes.Count >= MaxCauses && !_causes.ContainsKey(key))
        {
            // Messages that embed ids would grow the table without bound: start over.
            _causes.Clear();
        }
        var cause = _causes.GetOrAdd(key, _ => new Cause());
        var now = time.GetUtcNow();
        long suppressed;
        lock (cause)
        {
            if (cause.LastLogged is { } last && now - last < Window)
            {
                cause.Suppressed++;
                return false;
            }
            suppressed = cause.Suppressed;
            cause.Suppressed = 0;
            cause.LastLogged = now;
        }
        if (suppressed == 0)
        {
            logger.LogError(error, "{Method} {Route} failed: {Message}", method, route, message);
        }
        else
        {
            logger.LogError(error, "{Method} {Route} failed: {Message} ({Suppressed} more like it in the last {Window} not logged)", method, route, message, suppressed, Window);
        }
        return true;
    }

    private sealed class Cause
    {
        public DateTimeOffset? LastLogged { get; set; }
        public long Suppressed { get; set; }
    }
}
