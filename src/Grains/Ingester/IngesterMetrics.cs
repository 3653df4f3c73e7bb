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
    private static readonly Gauge s_unflushedBytes = Metrics.CreateGauge(
        "loki_ingester_unflushed_bytes",
        "Line plus structured-metadata bytes (uncompressed) in the in-memory chunks (head and cut, not yet flushed) of this process's stream grains.",
        "tenant");
    private static readonly Gauge s_unflushedCompressedBytes = Metrics.CreateGauge(
        "loki_ingester_unflushed_compressed_bytes",
        "LZ4 bytes of the compressed blocks in the in-memory chunks of this process's stream grains (each chunk's uncompressed head block is not included).",
        "tenant");
    private static readonly Gauge s_memoryChunks = Metrics.CreateGauge(
        "loki_ingester_memory_chunks", "In-memory chunks (heads with entries and chunks cut but not yet flushed).", "tenant");

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

    /// <summary>The gauges of one tenant's in-memory chunks, adjusted by each stream grain with its own changes.</summary>
    public static UnflushedGauges Unflushed(string tenant) =>
        new(s_unflushedBytes.WithLabels(tenant), s_unflushedCompressedBytes.WithLabels(tenant), s_memoryChunks.WithLabels(tenant));

    /// <param name="Bytes"><c>loki_ingester_unflushed_bytes</c> of one tenant.</param>
    /// <param name="CompressedBytes"><c>loki_ingester_unflushed_compressed_bytes</c> of one tenant.</param>
    /// <param name="Chunks"><c>loki_ingester_memory_chunks</c> of one tenant.</param>
    public sealed record UnflushedGauges(Gauge.Child Bytes, Gauge.Child CompressedBytes, Gauge.Child Chunks)
    {
        public void Add(long bytes, long compressedBytes, int chunks)
        {
            if (bytes != 0)
            {
                Bytes.Inc(bytes);
            }
            if (compressedBytes != 0)
            {
                CompressedBytes.Inc(compressedBytes);
            }
            if (chunks != 0)
            {
                Chunks.Inc(chunks);
            }
        }
    }
}
