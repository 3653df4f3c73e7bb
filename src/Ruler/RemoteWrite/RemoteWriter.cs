using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Model;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.RemoteWrite.Proto;
using Prometheus;

namespace Orleans.Loki.Ruler.RemoteWrite;

/// <summary>
/// Recording rules' samples to every <c>ruler.remote_write</c> client with Prometheus remote write 1.0 (snappy block of a
/// protobuf <c>prometheus.WriteRequest</c>, <c>X-Scope-OrgID</c> = the tenant). No WAL: each client has one bounded
/// in-memory queue per silo (<c>queue_config.capacity</c> samples). What is lost while the receiver is down:
/// once the queue is full the oldest samples are dropped (<c>reason="queue_full"</c>); a batch is retried with
/// exponential backoff (<c>min_backoff</c>..<c>max_backoff</c>) on network errors, 5xx and 429, for at most
/// <c>max_retry_duration</c>, then dropped (<c>reason="retries_exhausted"</c>); a 4xx other than 429 drops the batch at
/// once (<c>reason="rejected"</c>). All drops count in <c>loki_ruler_remote_write_samples_dropped_total</c>.
/// </summary>
public sealed partial class RemoteWriter : BackgroundService
{
    private static readonly Counter s_sent = Metrics.CreateCounter("loki_ruler_remote_write_samples_total", "Samples sent to remote storage.", "tenant", "remote_name");
    private static readonly Counter s_retried = Metrics.CreateCounter("loki_ruler_remote_write_samples_retried_total", "Samples retried after a recoverable send failure.", "tenant", "remote_name");
    private static readonly Counter s_dropped = Metrics.CreateCounter("loki_ruler_remote_write_samples_dropped_total", "Samples dropped before they reached remote storage.", "tenant", "remote_name", "reason");
    private static readonly Gauge s_pending = Metrics.CreateGauge("loki_ruler_remote_write_samples_pending", "Samples waiting in the queue.", "remote_name");

    private readonly List<Client> _clients = [];
    private readonly RemoteWriteOptions _options;
    private readonly ILogger<RemoteWriter> _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public RemoteWriter(RulerOptions options, TimeProvider time, ILogger<RemoteWriter> logger)
    {
        _options = options.RemoteWrite;
        _logger = logger;
        _time = time;
        if (_options.Enabled)
        {
            foreach (var (id, client) in _options.Clients.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                _clients.Add(new Client(id, client));
            }
        }
    }

    /// <summary>Samples dropped so far for the tenant, client and reason (the metric's value).</summary>
    internal static double Dropped(string tenant, string client, string reason) => s_dropped.WithLabels(tenant, client, reason).Value;

    /// <summary>Samples sent and retried so far for the tenant and client.</summary>
    internal static (double Sent, double Retried) Progress(string tenant, string client) =>
        (s_sent.WithLabels(tenant, client).Value, s_retried.WithLabels(tenant, client).Value);

    /// <summary>True when samples go somewhere (else they are discarded, as Loki's null registry does).</summary>
    public bool Enabled => _clients.Count > 0;

    /// <summary>Queues <paramref name="samples"/> of <paramref name="tenant"/> on every client; never waits.</summary>
    public void Append(string tenant, IReadOnlyList<RecordedSample> samples)
    {
        foreach (var client in _clients)
        {
            foreach (var s in samples)
            {
                client.Queue.Writer.TryWrite((tenant, s));
            }
            s_pending.WithLabels(client.Id).Set(client.Queue.Reader.Count);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_clients.Select(c => RunAsync(c, stoppingToken)));

    private async Task RunAsync(Client client, CancellationToken ct)
    {
        var batch = new List<(string Tenant, RecordedSample Sample)>();
        try
        {
            while (await client.Queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < client.Options.MaxSamplesPerSend && client.Queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                s_pending.WithLabels(client.Id).Set(client.Queue.Reader.Count);
                foreach (var perTenant in batch.GroupBy(b => b.Tenant))
                {
                    var samples = perTenant.Select(p => p.Sample).ToList();
                    await SendWithRetriesAsync(client, perTenant.Key, samples, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // shutting down: queued samples are lost (no WAL)
        }
    }

    private async Task SendWithRetriesAsync(Client client, string tenant, List<RecordedSample> samples, CancellationToken ct)
    {
        var body = Encode(samples);
        var backoff = client.Options.MinBackoff;
        var deadline = _time.GetUtcNow() + client.Options.MaxRetryDuration;
        while (true)
        {
            var outcome = await SendOnceAsync(client, tenant, body, ct).ConfigureAwait(false);
            if (outcome == Outcome.Sent)
            {
                s_sent.WithLabels(tenant, client.Id).Inc(samples.Count);
                return;
            }
            if (outcome == Outcome.Rejected)
            {
                s_dropped.WithLabels(tenant, client.Id, "rejected").Inc(samples.Count);
                return;
            }
            if (_time.GetUtcNow() + backoff > deadline)
            {
                s_dropped.WithLabels(tenant, client.Id, "retries_exhausted").Inc(samples.Count);
                LogDropped(_logger, client.Id, samples.Count);
                return;
            }
            s_retried.WithLabels(tenant, client.Id).Inc(samples.Count);
            await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, client.Options.MaxBackoff.Ticks));
        }
    }

    private enum Outcome
    {
        Sent,
        Retry,
        Rejected,
    }

    private async Task<Outcome> SendOnceAsync(Client client, string tenant, byte[] body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(client.Options.RemoteTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, client.Options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.TryAddWithoutValidation("X-Prometheus-Remote-Write-Version", "0.1.0");
        request.Headers.UserAgent.ParseAdd("orleans-loki-ruler");
        foreach (var (k, v) in client.Options.Headers)
        {
            // A user-set X-Scope-OrgID is always dropped, as Loki does: the tenant is the rule's.
            if (!k.Equals("X-Scope-OrgID", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(k, v);
            }
        }
        if (_options.AddOrgIdHeader)
        {
            request.Headers.TryAddWithoutValidation("X-Scope-OrgID", tenant);
        }
        if (client.Options.BasicAuthUsername is { } user)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{client.Options.BasicAuthPassword}")));
        }
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return Outcome.Sent;
            }
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            LogSendFailed(_logger, client.Id, $"server returned HTTP status {status}: {text.Trim()}");
            return status >= 500 || (response.StatusCode == HttpStatusCode.TooManyRequests && client.Options.RetryOnRateLimit) ? Outcome.Retry : Outcome.Rejected;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // Network failures and timeouts are recoverable: the batch is retried.
            LogSendFailed(_logger, client.Id, e is OperationCanceledException ? LokiErrors.ContextDeadlineExceeded : e.Message);
            return Outcome.Retry;
        }
    }

    /// <summary>A snappy-compressed <c>WriteRequest</c>, one series per sample (samples of a series in time order).</summary>
    internal static byte[] Encode(IReadOnlyList<RecordedSample> samples)
    {
        var request = new WriteRequest();
        var bySeries = new Dictionary<string, TimeSeries>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            var key = string.Join('\xff', s.Labels.Select(l => l.Key + "\xfe" + l.Value));
            if (!bySeries.TryGetValue(key, out var ts))
            {
                ts = new TimeSeries();
                foreach (var (k, v) in s.Labels)
                {
                    ts.Labels.Add(new Label { Name = k, Value = v });
                }
                bySeries[key] = ts;
                request.Timeseries.Add(ts);
            }
            ts.Samples.Add(new Sample { Value = s.Value, Timestamp = s.TimestampMs });
        }
        return Snappier.Snappy.CompressToArray(request.ToByteArray());
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private sealed class Client(string id, RemoteWriteClientOptions options)
    {
        public string Id { get; } = id;
        public RemoteWriteClientOptions Options { get; } = options;

        public Channel<(string Tenant, RecordedSample Sample)> Queue { get; } = Channel.CreateBounded<(string, RecordedSample)>(
            new BoundedChannelOptions(Math.Max(1, options.QueueCapacity)) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => s_dropped.WithLabels(dropped.Item1, id, "queue_full").Inc());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "remote write to {Client} failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string client, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "remote write to {Client}: {Count} samples dropped after retrying")]
    private static partial void LogDropped(ILogger logger, string client, int count);
}
