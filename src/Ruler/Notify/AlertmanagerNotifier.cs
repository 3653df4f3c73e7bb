using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Model;
using Orleans.Loki.Ruler.Evaluation;
using Prometheus;

namespace Orleans.Loki.Ruler.Notify;

/// <summary>
/// Sends alerts to every configured Alertmanager with the v2 API (<c>POST &lt;prefix&gt;/api/v2/alerts</c>, the tenant in
/// <c>X-Scope-OrgID</c>), as Prometheus' notifier does: one bounded queue per silo (<c>notification_queue_capacity</c>;
/// when full the oldest alerts are dropped and counted), batches of up to 64 alerts, each POST bounded by
/// <c>notification_timeout</c>. Metrics carry Prometheus' notifier names with Loki's prefix and a <c>user</c> label.
/// </summary>
public sealed partial class AlertmanagerNotifier : BackgroundService
{
    private const int MaxBatch = 64;

    private static readonly Counter s_sent = Metrics.CreateCounter("loki_prometheus_notifications_sent_total", "Total number of alerts sent.", "user", "alertmanager");
    private static readonly Counter s_errors = Metrics.CreateCounter("loki_prometheus_notifications_errors_total", "Total number of errors sending alert notifications.", "user", "alertmanager");
    private static readonly Counter s_dropped = Metrics.CreateCounter("loki_prometheus_notifications_dropped_total", "Total number of alerts dropped due to errors when sending to Alertmanager.", "user");
    private static readonly Gauge s_queueLength = Metrics.CreateGauge("loki_prometheus_notifications_queue_length", "The number of alert notifications in the queue.");
    private static readonly Gauge s_queueCapacity = Metrics.CreateGauge("loki_prometheus_notifications_queue_capacity", "The capacity of the alert notifications queue.");
    private static readonly Histogram s_latency = Metrics.CreateHistogram("loki_prometheus_notifications_latency_seconds", "Latency quantiles for sending alert notifications.", "alertmanager");

    private readonly Channel<(string Tenant, AlertNotification Alert)> _queue;
    private readonly IReadOnlyList<AlertmanagerTarget> _targets;
    private readonly HttpClient _http;
    private readonly RulerOptions _options;
    private readonly ILogger<AlertmanagerNotifier> _logger;

    public AlertmanagerNotifier(RulerOptions options, ILogger<AlertmanagerNotifier> logger)
    {
        _options = options;
        _logger = logger;
        _targets = AlertmanagerTarget.Parse(options.AlertmanagerUrl, options.EnableAlertmanagerV2);
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _queue = Channel.CreateBounded<(string, AlertNotification)>(
            new BoundedChannelOptions(Math.Max(1, options.NotificationQueueCapacity)) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => s_dropped.WithLabels(dropped.Item1).Inc());
        s_queueCapacity.Set(options.NotificationQueueCapacity);
    }

    /// <summary>The Alertmanagers alerts go to.</summary>
    public IReadOnlyList<AlertmanagerTarget> Targets => _targets;

    /// <summary>Queues alerts of <paramref name="tenant"/>; never waits (a full queue drops its oldest).</summary>
    public void Send(string tenant, IReadOnlyList<AlertNotification> alerts)
    {
        if (_targets.Count == 0)
        {
            return;
        }
        foreach (var a in alerts)
        {
            _queue.Writer.TryWrite((tenant, a));
        }
        s_queueLength.Set(_queue.Reader.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(string Tenant, AlertNotification Alert)>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch * 16 && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                s_queueLength.Set(_queue.Reader.Count);
                foreach (var perTenant in batch.GroupBy(b => b.Tenant))
                {
                    foreach (var chunk in perTenant.Select(p => p.Alert).Chunk(MaxBatch))
                    {
                        var body = Serialize(chunk);
                        await Task.WhenAll(_targets.Select(t => PostAsync(t, perTenant.Key, body, chunk.Length, stoppingToken))).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: what is queued is lost, as in Prometheus' notifier (alerts are re-sent by the next evaluation elsewhere)
        }
    }

    private async Task PostAsync(AlertmanagerTarget target, string tenant, byte[] body, int count, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.NotificationTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.AlertsUrl)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.TryAddWithoutValidation("X-Scope-OrgID", tenant);
        if (target.Authorization is { } auth)
        {
            request.Headers.Authorization = auth;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                s_errors.WithLabels(tenant, target.AlertsUrl).Inc(count);
                s_dropped.WithLabels(tenant).Inc(count);
                LogSendFailed(_logger, target.AlertsUrl, $"bad response status {(int)response.StatusCode} {response.ReasonPhrase}");
                return;
            }
            s_sent.WithLabels(tenant, target.AlertsUrl).Inc(count);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The fan-out edge: one Alertmanager failing must not stop the others; counted and logged.
            s_errors.WithLabels(tenant, target.AlertsUrl).Inc(count);
            s_dropped.WithLabels(tenant).Inc(count);
            LogSendFailed(_logger, target.AlertsUrl, e is OperationCanceledException ? LokiErrors.ContextDeadlineExceeded : e.Message);
        }
        finally
        {
            s_latency.WithLabels(target.AlertsUrl).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>Alertmanager's v2 <c>postableAlerts</c> body.</summary>
    internal static byte[] Serialize(IEnumerable<AlertNotification> alerts)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var a in alerts)
            {
                w.WriteStartObject();
                w.WritePropertyName("labels");
                WriteMap(w, a.Labels);
                w.WritePropertyName("annotations");
                WriteMap(w, a.Annotations);
                if (a.StartsAtNs != 0)
                {
                    w.WriteString("startsAt", Rfc3339(a.StartsAtNs));
                }
                if (a.EndsAtNs != 0)
                {
                    w.WriteString("endsAt", Rfc3339(a.EndsAtNs));
                }
                w.WriteString("generatorURL", a.GeneratorUrl);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static void WriteMap(Utf8JsonWriter w, Dictionary<string, string> map)
    {
        w.WriteStartObject();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
    }

    /// <summary>Go's RFC3339Nano in UTC.</summary>
    internal static string Rfc3339(long ns)
    {
        var t = DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
        var fraction = (ns % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + "Z";
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "error sending alerts to {Alertmanager}: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string alertmanager, string error);
}

/// <summary>One Alertmanager of <c>alertmanager_url</c>: its alerts endpoint (path prefix kept) and basic auth from the userinfo.</summary>
public sealed record AlertmanagerTarget(string AlertsUrl, AuthenticationHeaderValue? Authorization)
{
    /// <summary>Parses Loki's comma-separated <c>alertmanager_url</c>.</summary>
    /// <exception cref="FormatException">A URL is not absolute http(s).</exception>
    public static IReadOnlyList<AlertmanagerTarget> Parse(string urls, bool v2)
    {
        var result = new List<AlertmanagerTarget>();
        foreach (var part in urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new FormatException($"invalid alertmanager_url '{part}': expected an http(s) URL");
            }
            AuthenticationHeaderValue? auth = null;
            if (uri.UserInfo.Length > 0)
            {
                var info = Uri.UnescapeDataString(uri.UserInfo);
                auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(info.Contains(':') ? info : info + ":")));
            }
            var prefix = uri.AbsolutePath.TrimEnd('/');
            var builder = new UriBuilder(uri) { UserName = "", Password = "", Path = prefix + (v2 ? "/api/v2/alerts" : "/api/v1/alerts"), Query = "" };
            result.Add(new AlertmanagerTarget(builder.Uri.ToString(), auth));
        }
        return result;
    }
}
