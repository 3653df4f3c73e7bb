using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orleans.Loki.Server.Tests;

/// <summary>Keeps every log line of a server (category, level, message, exception) for assertions.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Error)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Error)> Lines => [.. _lines];

    /// <summary>Lines at Error or above, or any line that reports an unhandled exception.</summary>
    public List<string> Failures() => [.. Lines
        .Where(l => l.Level >= LogLevel.Error || l.Message.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase))
        .Select(l => $"{l.Level} {l.Category}: {l.Message} {l.Error?.GetType().Name} {l.Error?.StackTrace}")];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
