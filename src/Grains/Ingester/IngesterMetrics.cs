using Prometheus;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>Ingester metrics, named as Loki names them where Loki has one.</summary>
internal static class IngesterMetrics
{
    private static readonly Counter s_entries = Metrics.CreateCounter(
        "loki_ingester_entries_appended_total", "Entries appended to head chunks.");
    private static readonly Counter s_walBytes = Metrics.CreateCounter(
        "loki_ingester_wal_bytes_appended_total", "Bytes appended durably to WAL segments.");
    private static readonly Counter s_walAppends = Metrics.CreateCounter(
        "loki_ingester_wal_appends_total", "WAL appends (one per group commit).");
    private static readonly Counter s_walRecords = Metrics.CreateCounter(
        "loki_ingester_wal_records_total", "Push batches written to the WAL (several per append under group commit).");
    private static readonly Counter s_chunksFlushed = Metrics.CreateCounter(
        "loki_ingester_chunks_flushed_total", "Chunks flushed to the object store.");
    private static readonly Histogram s_chunkSize = Metrics.CreateHistogram(
        "loki_ingester_chunk_size_bytes", "Compressed size of flushed chunks.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(16 * 1024, 2, 10) });
    private static readonly Counter s_chunkEntries = Metrics.CreateCounter(
        "loki_ingester_chunk_entries_total", "Entries in flushed chunks.");
    private static readonly Counter s_streamsCreated = Metrics.CreateCounter(
        "loki_ingester_streams_created_total", "Stream grains activated.");

    public static void EntriesAppended(int count) => s_entries.Inc(count);

    public static void WalAppended(int bytes, int records)
    {
        s_walBytes.Inc(bytes);
        s_walAppends.Inc();
        s_walRecords.Inc(records);
    }

    public static void ChunkFlushed(int compressedBytes, int entries)
    {
        s_chunksFlushed.Inc();
        s_chunkSize.Observe(compressedBytes);
        s_chunkEntries.Inc(entries);
    }

    public static void StreamCreated() => s_streamsCreated.Inc();
}
