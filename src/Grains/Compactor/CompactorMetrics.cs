using Prometheus;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>The compactor's <c>/metrics</c> (Loki's names where Loki has one).</summary>
internal static class CompactorMetrics
{
    public static readonly Counter Runs = Metrics.CreateCounter(
        "loki_compactor_runs_total", "Compactor runs, by outcome.", "status");

    public static readonly Gauge LastSuccessfulRun = Metrics.CreateGauge(
        "loki_compactor_last_successful_run_timestamp_seconds", "Unix timestamp of the last successful compactor run.");

    public static readonly Counter MarkedChunks = Metrics.CreateCounter(
        "loki_compactor_marked_chunks_total", "Chunks marked for deletion, by reason.", "reason");

    public static readonly Counter DeletedChunks = Metrics.CreateCounter(
        "loki_compactor_deleted_chunks_total", "Chunk objects deleted by the sweeper.");

    public static readonly Gauge PendingMarkers = Metrics.CreateGauge(
        "loki_compactor_pending_delete_marker_files", "Marker files not yet swept.");

    public static readonly Gauge DeleteRequests = Metrics.CreateGauge(
        "loki_compactor_delete_requests", "Delete requests known at the last run, by status.", "status");

    public static readonly Counter DeleteRequestsProcessed = Metrics.CreateCounter(
        "loki_compactor_delete_requests_processed_total", "Delete requests physically applied, by tenant.", "user");

    public static readonly Counter DeletedLines = Metrics.CreateCounter(
        "loki_compactor_deleted_lines", "Lines removed by rewriting chunks for delete requests, by tenant.", "user");

    public static readonly Counter RemovedSeries = Metrics.CreateCounter(
        "loki_compactor_removed_series_total", "Series removed from the index because no chunk was left.");

    public static readonly Counter RemovedIndexFiles = Metrics.CreateCounter(
        "loki_compactor_removed_index_files_total", "Tenant-day index files removed because no series was left.");
}
