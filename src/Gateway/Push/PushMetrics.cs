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

    private static readonly Counter s_refused = Metrics.CreateCounter(
        "loki_distributor_push_requests_refused_total",
        "Push requests answered 503 because memory is at ingester.max_unflushed_bytes, by the stage that refused them: " +
        "admission (before the body was read) or append (a stream grain's silo over its cap).",
        new CounterConfiguration { LabelNames = ["reason", "stage", "tenant"] });

    /// <summary>Refused before the body was read.</summary>
    public const string StageAdmission = "admission";

    /// <summary>Refused (in part) by the stream grains.</summary>
    public const string StageAppend = "append";

    public static void Refused(string tenant, string reason, string stage) => s_refused.WithLabels(reason, stage, tenant).Inc();

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
