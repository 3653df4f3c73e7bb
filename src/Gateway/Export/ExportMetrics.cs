using Prometheus;

namespace Orleans.Loki.Gateway.Export;

/// <summary>
/// Export metrics (ours; Loki has no export), per tenant (<c>a|b</c> for a multi-tenant export): what was read and
/// written, exports waiting for a slow client (backpressure) and exports the client left.
/// </summary>
internal static class ExportMetrics
{
    private static readonly Gauge s_active = Metrics.CreateGauge(
        "loki_export_active", "Exports being streamed.", new GaugeConfiguration { LabelNames = ["tenant"] });
    private static readonly Gauge s_waiting = Metrics.CreateGauge(
        "loki_export_waiting_for_client", "Exports waiting for their client to read what was already written.",
        new GaugeConfiguration { LabelNames = ["tenant"] });
    private static readonly Counter s_bytes = Metrics.CreateCounter(
        "loki_export_response_bytes_total", "Bytes of export responses handed to the server.", new CounterConfiguration { LabelNames = ["tenant"] });
    private static readonly Counter s_pages = Metrics.CreateCounter(
        "loki_export_pages_read_total", "Pages of entries exports read from the queriers.", new CounterConfiguration { LabelNames = ["tenant"] });
    private static readonly Counter s_cancelled = Metrics.CreateCounter(
        "loki_export_cancelled_total", "Exports stopped because the client went away.", new CounterConfiguration { LabelNames = ["tenant"] });

    public static Tenant For(string[] tenants) => new(string.Join('|', tenants));

    /// <summary>The metrics of one tenant (label value).</summary>
    internal sealed class Tenant(string tenant)
    {
        public Gauge.Child Active { get; } = s_active.WithLabels(tenant);
        public Gauge.Child Waiting { get; } = s_waiting.WithLabels(tenant);
        public Counter.Child Bytes { get; } = s_bytes.WithLabels(tenant);
        public Counter.Child Pages { get; } = s_pages.WithLabels(tenant);
        public Counter.Child Cancelled { get; } = s_cancelled.WithLabels(tenant);
    }
}
