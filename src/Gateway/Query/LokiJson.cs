using System.Globalization;
using System.Text.Json;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Query;

/// <summary>Writes Loki's query API JSON (the shapes of Loki's <c>loghttp</c> v1 types).</summary>
internal static class LokiJson
{
    public static void WriteQueryResponse(Utf8JsonWriter w, QueryResult result, QueryStats stats)
    {
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WritePropertyName("data");
        w.WriteStartObject();
        w.WriteString("resultType", result.ResultType);
        w.WritePropertyName("result");
        switch (result.ResultType)
        {
            case "streams":
                WriteStreams(w, result.Streams ?? []);
                break;
            case "matrix":
                w.WriteStartArray();
                foreach (var series in result.Matrix ?? [])
                {
                    w.WriteStartObject();
                    WriteLabels(w, "metric", series.Labels);
                    w.WritePropertyName("values");
                    w.WriteStartArray();
                    foreach (var point in series.Points)
                    {
                        WritePoint(w, point.TimestampNs, point.Value);
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case "vector":
                w.WriteStartArray();
                foreach (var sample in result.Vector ?? [])
                {
                    w.WriteStartObject();
                    WriteLabels(w, "metric", sample.Labels);
                    w.WritePropertyName("value");
                    WritePoint(w, sample.TimestampNs, sample.Value);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            default:
                var scalar = result.Scalar ?? new SamplePoint(0, 0);
                WritePoint(w, scalar.TimestampNs, scalar.Value);
                break;
        }
        w.WritePropertyName("stats");
        stats.Write(w);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStreams(Utf8JsonWriter w, List<ResultStream> streams)
    {
        w.WriteStartArray();
        foreach (var stream in streams)
        {
            w.WriteStartObject();
            WriteLabels(w, "stream", stream.Labels);
            w.WritePropertyName("values");
            w.WriteStartArray();
            foreach (var entry in stream.Entries)
            {
                w.WriteStartArray();
                w.WriteStringValue(entry.TimestampNs.ToString(CultureInfo.InvariantCulture));
                w.WriteStringValue(entry.Line);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteLabels(Utf8JsonWriter w, string name, KeyValuePair<string, string>[] labels)
    {
        w.WritePropertyName(name);
        w.WriteStartObject();
        foreach (var (k, v) in labels)
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
    }

    /// <summary><c>[seconds as a number with millisecond precision, "value"]</c>, values formatted as Go's FormatFloat(v,'f',-1).</summary>
    public static void WritePoint(Utf8JsonWriter w, long timestampNs, double value)
    {
        w.WriteStartArray();
        var ms = Math.Floor(timestampNs / 1e6);
        w.WriteRawValue((ms / 1000).ToString("0.###", CultureInfo.InvariantCulture));
        w.WriteStringValue(FormatValue(value));
        w.WriteEndArray();
    }

    public static string FormatValue(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture) is var s && s.Contains('E')
            ? value.ToString("0.##################", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>The <c>stats</c> block: real numbers for what is measured, zeros for the rest of Loki's fields.</summary>
internal sealed record QueryStats(long LinesProcessed, long BytesProcessed, long EntriesReturned, long ChunksRead, double ExecSeconds)
{
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("summary");
        w.WriteStartObject();
        w.WriteNumber("bytesProcessedPerSecond", ExecSeconds > 0 ? (long)(BytesProcessed / ExecSeconds) : 0);
        w.WriteNumber("linesProcessedPerSecond", ExecSeconds > 0 ? (long)(LinesProcessed / ExecSeconds) : 0);
        w.WriteNumber("totalBytesProcessed", BytesProcessed);
        w.WriteNumber("totalLinesProcessed", LinesProcessed);
        w.WriteNumber("execTime", ExecSeconds);
        w.WriteNumber("queueTime", 0);
        w.WriteNumber("subqueries", 0);
        w.WriteNumber("totalEntriesReturned", EntriesReturned);
        w.WriteNumber("splits", 0);
        w.WriteNumber("shards", 0);
        w.WriteNumber("totalPostFilterLines", 0);
        w.WriteNumber("totalStructuredMetadataBytesProcessed", 0);
        w.WriteEndObject();
        w.WritePropertyName("querier");
        w.WriteStartObject();
        w.WritePropertyName("store");
        w.WriteStartObject();
        w.WriteNumber("totalChunksRef", ChunksRead);
        w.WriteNumber("totalChunksDownloaded", ChunksRead);
        w.WriteNumber("chunksDownloadTime", 0);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
