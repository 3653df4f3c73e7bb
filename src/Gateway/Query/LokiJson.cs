using System.Globalization;
using System.Text.Json;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Query;

/// <summary>Writes Loki's query API JSON (the shapes of Loki's <c>loghttp</c> v1 types).</summary>
internal static partial class LokiJson
{
    /// <summary>The response of query and query_range; with <paramref name="categorizeLabels"/>, Loki's categorized form.</summary>
    public static void WriteQueryResponse(Utf8JsonWriter w, QueryResult result, QueryStats stats, bool categorizeLabels = false, Direction direction = Direction.Backward)
    {
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WritePropertyName("data");
        w.WriteStartObject();
        w.WriteString("resultType", result.ResultType);
        if (categorizeLabels)
        {
            w.WritePropertyName("encodingFlags");
            w.WriteStartArray();
            w.WriteStringValue(CategorizeLabelsFlag);
            w.WriteEndArray();
        }
        w.WritePropertyName("result");
        switch (result.ResultType)
        {
            case "streams" when categorizeLabels:
                WriteCategorizedStreams(w, result.Streams ?? [], direction);
                break;
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
        Span<byte> text = stackalloc byte[32];
        w.WriteRawValue(text[..FormatSeconds(timestampNs, text)], skipInputValidation: true);
        w.WriteStringValue(FormatValue(value));
        w.WriteEndArray();
    }

    /// <summary>
    /// Writes a nanosecond timestamp as Loki renders a millisecond time: seconds with up to three decimals, trailing
    /// zeros dropped (<c>1700000000.12</c>, <c>1700000000</c>). Integer arithmetic only: going through a double
    /// (ns / 1e6) renders about one in eight millisecond-aligned times a millisecond early.
    /// </summary>
    public static int FormatSeconds(long timestampNs, Span<byte> destination)
    {
        // Nanoseconds truncate toward zero to milliseconds, as Go's model.TimeFromUnixNano.
        var ms = timestampNs / 1_000_000;
        var negative = ms < 0;
        var abs = negative ? -(Int128)ms : ms;
        var seconds = (long)(abs / 1000);
        var frac = (int)(abs % 1000);
        var n = 0;
        if (negative)
        {
            destination[n++] = (byte)'-';
        }
        seconds.TryFormat(destination[n..], out var written, default, CultureInfo.InvariantCulture);
        n += written;
        if (frac != 0)
        {
            destination[n++] = (byte)'.';
            var digits = 3;
            while (frac % 10 == 0)
            {
                frac /= 10;
                digits--;
            }
            frac.TryFormat(destination[n..], out written, digits == 3 ? "000" : digits == 2 ? "00" : "0", CultureInfo.InvariantCulture);
            n += written;
        }
        return n;
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

/// <summary>
/// The <c>stats</c> block: real numbers for what is measured, zeros for the rest of Loki's fields. Lines and bytes
/// processed are split by origin: flushed chunks (querier section) and in-memory data (ingester section).
/// </summary>
internal sealed record QueryStats(Orleans.Loki.Grains.Abstractions.ReadStats Read, long EntriesReturned, int Splits, int Shards, int Subqueries, double ExecSeconds)
{
    /// <summary>Seconds sub-queries waited in the frontend's fair queue, summed (<c>summary.queueTime</c>).</summary>
    public double QueueSeconds { get; init; }

    /// <summary>All zeros (answers that read no log lines, e.g. index volume).</summary>
    public static QueryStats Empty => new(new Orleans.Loki.Grains.Abstractions.ReadStats(), 0, 0, 0, 0, 0);

    private long Lines => Read.ChunkLines + Read.HeadLines;

    private long Bytes => Read.ChunkBytes + Read.HeadBytes;

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("summary");
        w.WriteStartObject();
        w.WriteNumber("bytesProcessedPerSecond", ExecSeconds > 0 ? (long)(Bytes / ExecSeconds) : 0);
        w.WriteNumber("linesProcessedPerSecond", ExecSeconds > 0 ? (long)(Lines / ExecSeconds) : 0);
        w.WriteNumber("totalBytesProcessed", Bytes);
        w.WriteNumber("totalLinesProcessed", Lines);
        w.WriteNumber("execTime", ExecSeconds);
        w.WriteNumber("queueTime", QueueSeconds);
        w.WriteNumber("subqueries", Subqueries);
        w.WriteNumber("totalEntriesReturned", EntriesReturned);
        w.WriteNumber("splits", Splits);
        w.WriteNumber("shards", Shards);
        w.WriteNumber("totalPostFilterLines", 0);
        w.WriteNumber("totalStructuredMetadataBytesProcessed", 0);
        w.WriteEndObject();

        w.WritePropertyName("querier");
        w.WriteStartObject();
        WriteStore(w, Read.ChunksFetched, 0, 0, Read.DecompressedBytes, Read.ChunkLines, Read.CompressedBytes, Read.Duplicates);
        w.WriteNumber("querierExecTime", ExecSeconds);
        w.WriteEndObject();

        w.WritePropertyName("ingester");
        w.WriteStartObject();
        w.WriteNumber("totalReached", 0);
        w.WriteNumber("totalChunksMatched", 0);
        w.WriteNumber("totalBatches", 0);
        w.WriteNumber("totalLinesSent", 0);
        WriteStore(w, 0, Read.HeadBytes, Read.HeadLines, 0, 0, 0, 0);
        w.WriteEndObject();

        // Loki's "cache" and "index" blocks: nothing of them is measured here, but Grafana's inspector expects the keys.
        w.WritePropertyName("cache");
        w.WriteStartObject();
        foreach (var cache in s_caches)
        {
            w.WritePropertyName(cache);
            w.WriteStartObject();
            foreach (var field in s_cacheFields)
            {
                w.WriteNumber(field, 0);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();

        w.WritePropertyName("index");
        w.WriteStartObject();
        w.WriteNumber("totalChunks", 0);
        w.WriteNumber("postFilterChunks", 0);
        w.WriteNumber("shardsDuration", 0);
        w.WriteBoolean("usedBloomFilters", false);
        w.WriteNumber("totalStreams", 0);
        w.WriteNumber("chunkRefsLookupTime", 0);
        w.WriteNumber("bloomFilterTime", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static readonly string[] s_caches =
        ["chunk", "index", "result", "statsResult", "volumeResult", "seriesResult", "labelResult", "instantMetricResult", "logResult", "taskResult"];

    private static readonly string[] s_cacheFields =
        ["entriesFound", "entriesRequested", "entriesStored", "bytesReceived", "bytesSent", "requests", "downloadTime", "queryLengthServed"];

    private static readonly string[] s_dataobjFields =
    [
        "prePredicateDecompressedRows", "prePredicateDecompressedBytes", "prePredicateDecompressedStructuredMetadataBytes",
        "postPredicateRows", "postPredicateDecompressedBytes", "postPredicateStructuredMetadataBytes", "postFilterRows",
        "pagesScanned", "pagesDownloaded", "pagesDownloadedBytes", "pageBatches", "totalRowsAvailable", "totalPageDownloadTime",
        "wireBytesTransferred",
    ];

    private static void WriteStore(Utf8JsonWriter w, long chunks, long headBytes, long headLines, long decompressedBytes, long decompressedLines, long compressedBytes, long duplicates)
    {
        w.WritePropertyName("store");
        w.WriteStartObject();
        w.WriteNumber("totalChunksRef", chunks);
        w.WriteNumber("totalChunksDownloaded", chunks);
        w.WriteNumber("chunksDownloadTime", 0);
        w.WriteBoolean("queryReferencedStructuredMetadata", false);
        w.WriteBoolean("queryUsedV2Engine", false);
        w.WritePropertyName("chunk");
        w.WriteStartObject();
        w.WriteNumber("headChunkBytes", headBytes);
        w.WriteNumber("headChunkLines", headLines);
        w.WriteNumber("decompressedBytes", decompressedBytes);
        w.WriteNumber("decompressedLines", decompressedLines);
        w.WriteNumber("compressedBytes", compressedBytes);
        w.WriteNumber("totalDuplicates", duplicates);
        w.WriteNumber("postFilterLines", 0);
        w.WriteNumber("headChunkStructuredMetadataBytes", 0);
        w.WriteNumber("decompressedStructuredMetadataBytes", 0);
        w.WriteEndObject();
        w.WriteNumber("chunkRefsFetchTime", 0);
        w.WriteNumber("congestionControlLatency", 0);
        w.WriteNumber("pipelineWrapperFilteredLines", 0);
        w.WritePropertyName("dataobj");
        w.WriteStartObject();
        foreach (var field in s_dataobjFields)
        {
            w.WriteNumber(field, 0);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
