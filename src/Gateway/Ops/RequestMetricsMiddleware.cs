using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Orleans.Loki.Gateway.Ops;

/// <summary>Records <c>loki_request_duration_seconds{method, route, status_code, ws}</c> as Loki does.</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next)
{
    private static readonly Histogram s_duration = Metrics.CreateHistogram(
        "loki_request_duration_seconds", "Time (in seconds) spent serving HTTP requests.",
        new HistogramConfiguration
        {
            LabelNames = ["method", "route", "status_code", "ws"],
            Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
        });

    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
            route = route.Trim('/').Replace('/', '_');
            s_duration.WithLabels(context.Request.Method, route, context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), context.WebSockets.IsWebSocketRequest ? "true" : "false")
                .Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }
}
