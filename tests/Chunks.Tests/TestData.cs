using System.Text;

namespace Orleans.Loki.Chunks.Tests;

internal static class TestData
{
    private static readonly string[] _levels = ["debug", "info", "warn", "error"];
    private static readonly string[] _paths = ["/api/v1/push", "/loki/api/v1/query_range", "/metrics", "/ready", "/api/users/42"];
    private static readonly string[] _words = ["connection", "timeout", "accepted", "request", "completed", "cache", "miss", "retrying", "upstream", "shard"];

    public static LogEntry Entry(long ts, string line, params (string Name, string Value)[] metadata) =>
        new(ts, Encoding.UTF8.GetBytes(line), metadata.Length == 0 ? null : metadata.Select(m => new KeyValuePair<string, string>(m.Name, m.Value)).ToArray());

    public static string Line(LogEntry entry) => Encoding.UTF8.GetString(entry.Line.Span);

    /// <summary>A realistic logfmt/JSON/nginx-ish line.</summary>
    public static string RandomLogLine(Random random)
    {
        return random.Next(3) switch
        {
            0 => $"level={_levels[random.Next(_levels.Length)]} ts=2026-11-26T01:{random.Next(60):D2}:{random.Next(60):D2}Z caller=server.go:{random.Next(900)} msg=\"{_words[random.Next(_words.Length)]} {_words[random.Next(_words.Length)]}\" duration={random.Next(5000)}ms trace_id={random.NextInt64():x16}",
            1 => $"{{\"level\":\"{_levels[random.Next(_levels.Length)]}\",\"path\":\"{_paths[random.Next(_paths.Length)]}\",\"status\":{200 + random.Next(4) * 100},\"bytes\":{random.Next(100000)},\"user\":\"u{random.Next(500)}\"}}",
            _ => $"10.0.{random.Next(256)}.{random.Next(256)} - - [26/Nov/2026:01:{random.Next(60):D2}:{random.Next(60):D2} +0000] \"GET {_paths[random.Next(_paths.Length)]} HTTP/1.1\" {200 + random.Next(4) * 100} {random.Next(100000)} \"-\" \"Mozilla/5.0\"",
        };
    }

    /// <summary>Comparable form of an entry: (timestamp, line, metadata).</summary>
    public static (long, string, string) Key(LogEntry e) =>
        (e.TimestampNs, Line(e), e.Metadata is null ? "" : string.Join(",", e.Metadata.Select(p => $"{p.Key}={p.Value}")));

    public static List<(long, string, string)> Keys(IEnumerable<LogEntry> entries) => entries.Select(Key).ToList();

    /// <summary>Stable sort by timestamp: the order the chunk must iterate in.</summary>
    public static List<(long, string, string)> Sorted(IEnumerable<LogEntry> entries) => entries.Select(Key).OrderBy(k => k.Item1).ToList();
}
