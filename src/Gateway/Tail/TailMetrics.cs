using Prometheus;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>Tail metrics with Loki's name.</summary>
internal static class TailMetrics
{
    private static readonly Gauge s_active = Metrics.CreateGauge("loki_querier_tail_active", "Number of active tailers");

    public static void Started() => s_active.Inc();

    public static void Ended() => s_active.Dec();
}
