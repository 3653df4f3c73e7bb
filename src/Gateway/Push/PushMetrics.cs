using Prometheus;

namespace Orleans.Loki.Gateway.Push;

/// <summary>Distributor metrics with Loki's names and labels.</summary>
internal static class PushMetrics
{
    private static readonly Counter s_bytesReceived = Metrics.CreateCounter(
        "loki_distributor_bytes_received_total", "The total number of uncompressed bytes received per tenant.",
        new CounterConfiguration { LabelNames = ["tenant"] });
    private static readonly Counter s_linesReceived = Metrics.CreateCounter(
        "loki_distributor_lines_received_total", "The total number of lines received per tenant.",
        new CounterConfiguration { LabelNames = ["tenant"] });
    private static readonly Counter s_discardedSamples = Metrics.CreateCounter(
        "loki_discarded_samples_total", "The total number of samples that were discarded.",
        new CounterConfiguration { LabelNames = ["reason", "tenant"] });
    private static readonly Counter s_discardedBytes = Metrics.CreateCounter(
        "loki_discarded_bytes_total", "The total number of bytes that were discarded.",
        new CounterConfiguration { LabelNames = ["reason", "tenant"] });

    public static void Received(string tenant, long lines, long bytes)
    {
        s_linesReceived.WithLabels(tenant).Inc(lines);
        s_bytesReceived.WithLabels(tenant).Inc(bytes);
    }

    public static void Discarded(string tenant, string reason, long lines, long bytes)
    {
        s_discardedSamples.WithLabels(reason, tenant).Inc(lines);
        s_discardedBytes.WithLabels(reason, tenant).Inc(bytes);
    }
}
