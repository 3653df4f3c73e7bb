using System.Globalization;
using System.Text.Json;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Query;

/// <summary>
/// Loki's legacy (<c>/api/prom/...</c>) shapes: a log query answers <c>{"streams":[{"labels":"{..}","entries":[{"ts":
/// RFC3339Nano,"line":..}]}],"stats":{..}}</c>; label endpoints answer <c>{"values":[..]}</c>. Metric results keep the
/// v1 shape, as Loki's frontend encodes them on the legacy path too.
/// </summary>
internal static partial class LokiJson
{
    public static void WriteLegacyStreams(Utf8JsonWriter w, List<ResultStream> streams, QueryStats stats)
    {
        w.WriteStartObject();
        w.WritePropertyName("streams");
        w.WriteStartArray();
        foreach (var stream in streams)
        {
            w.WriteStartObject();
            w.WriteString("labels", stream.LabelsString);
            w.WritePropertyName("entries");
            w.WriteStartArray();
            foreach (var entry in stream.Entries)
            {
                w.WriteStartObject();
                w.WriteString("ts", FormatRfc3339Nano(entry.TimestampNs));
                w.WriteString("line", entry.Line);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WritePropertyName("stats");
        stats.Write(w);
        w.WriteEndObject();
    }

    public static void WriteLegacyValues(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartObject();
        w.WritePropertyName("values");
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Go's <c>time.RFC3339Nano</c> in UTC: fraction without trailing zeros, none when whole seconds.</summary>
    public static string FormatRfc3339Nano(long timestampNs)
    {
        var seconds = Math.DivRem(timestampNs, 1_000_000_000L, out var ns);
        if (ns < 0)
        {
            seconds--;
            ns += 1_000_000_000L;
        }
        var text = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return ns == 0 ? text + "Z" : $"{text}.{ns.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0')}Z";
    }
}
