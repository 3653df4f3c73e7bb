using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Canary;

/// <summary>
/// loki-canary's checks against one server: a writer pushes one sequence-numbered line per interval (retrying a
/// failed push until it is acknowledged, as a shipping agent does), a websocket tail reads them back as they
/// arrive (reconnecting after a failure from the last entry it saw), and spot checks query every acknowledged
/// entry back from the store. Counted: entries written and acknowledged, received by the tail, missing (tail,
/// and store: acknowledged but not returned by a query), duplicate, out of order, and late (seen by the tail after
/// <c>--wait</c>), plus the tail latency.
/// </summary>
internal sealed class CanaryRun(CanaryOptions options)
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly Counters _c = new();
    private readonly string _instance = Guid.NewGuid().ToString("n")[..8];
    private readonly HttpClient _http = new() { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(10) };
    private readonly long _startNs = NowNs();
    private readonly List<double> _latencies = [];

    private string Selector => $"{{name=\"canary\",instance=\"{_instance}\"}}";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        _http.DefaultRequestHeaders.Add("X-Scope-OrgID", options.Tenant);
        Console.WriteLine($"canary {_instance}: {options.Url} tenant {options.Tenant}, a line every {options.Interval.TotalMilliseconds} ms for {options.Duration}, wait {options.Wait}");
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        writing.CancelAfter(options.Duration);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = WriteAsync(writing.Token);
        var tail = TailAsync(reading.Token);
        var checks = CheckLoopAsync(reading.Token);
        var metrics = MetricsLoopAsync(reading.Token);
        await writer;
        // Let the last entries arrive (or not) before the final checks.
        var deadline = DateTime.UtcNow + options.Wait;
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested && _entries.Values.Any(e => !e.Tailed))
        {
            await Task.Delay(500, CancellationToken.None);
        }
        await CheckAsync(final: true, CancellationToken.None);
        await reading.CancelAsync();
        await Task.WhenAll(Quiet(tail), Quiet(checks), Quiet(metrics));
        WriteMetrics();
        PrintSummary();
        return _c.StoreMissing == 0 ? 0 : 1;
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        var pending = new List<Entry>();
        var seq = 0L;
        var timer = new PeriodicTimer(options.Interval);
        var padding = new string('p', Math.Max(0, options.Size - 32));
        while (true)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(ct))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var ts = NowNs();
            var entry = new Entry(++seq, ts, $"{ts} {seq:D10} {padding}", Stopwatch.GetTimestamp());
            _entries[seq] = entry;
            Interlocked.Increment(ref _c.Written);
            pending.Add(entry);
            if (await PushAsync(pending))
            {
                foreach (var p in pending)
                {
                    p.AckedAt = Stopwatch.GetTimestamp();
                }
                Interlocked.Add(ref _c.Acked, pending.Count);
                pending.Clear();
            }
        }
        // Whatever could not be pushed by the end is retried for at most --wait.
        var until = DateTime.UtcNow + options.Wait;
        while (pending.Count > 0 && DateTime.UtcNow < until)
        {
            if (await PushAsync(pending))
            {
                foreach (var p in pending)
                {
                    p.AckedAt = Stopwatch.GetTimestamp();
                }
                Interlocked.Add(ref _c.Acked, pending.Count);
                pending.Clear();
            }
            else
            {
                await Task.Delay(500, CancellationToken.None);
            }
        }
    }

    private async Task<bool> PushAsync(List<Entry> entries)
    {
        var values = string.Join(",", entries.Select(e => $"[\"{e.Ts}\",\"{e.Line}\"]"));
        var body = $"{{\"streams\":[{{\"stream\":{{\"name\":\"canary\",\"instance\":\"{_instance}\"}},\"values\":[{values}]}}]}}";
        try
        {
            using var response = await _http.PostAsync("/loki/api/v1/push", new StringContent(body, Encoding.UTF8, "application/json"));
            if (response.IsSuccessStatusCode)
            {
                return true;
            }
            Interlocked.Increment(ref _c.PushErrors);
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _c.PushErrors);
            return false;
        }
    }

    private async Task TailAsync(CancellationToken ct)
    {
        var lastTs = _startNs - 1_000_000_000L;
        while (!ct.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-Scope-OrgID", options.Tenant);
            // After a reconnect the tail replays from the last entry it saw: overlap shows up as duplicates.
            var uri = new Uri($"ws://{options.Url.Host}:{options.Url.Port}/loki/api/v1/tail?query={Uri.EscapeDataString(Selector)}&start={lastTs}&limit=5000");
            var maxSeq = 0L;
            try
            {
                await socket.ConnectAsync(uri, ct);
                Interlocked.Increment(ref _c.TailConnects);
                var buffer = new byte[1 << 20];
                while (!ct.IsCancellationRequested)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, ct);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    using var doc = JsonDocument.Parse(message.ToArray());
                    foreach (var stream in doc.RootElement.GetProperty("streams").EnumerateArray())
                    {
                        foreach (var value in stream.GetProperty("values").EnumerateArray())
                        {
                            var ts = long.Parse(value[0].GetString()!, CultureInfo.InvariantCulture);
                            lastTs = Math.Max(lastTs, ts);
                            var seq = SeqOf(value[1].GetString()!);
                            OnTailed(seq, ref maxSeq);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or JsonException)
            {
                Interlocked.Increment(ref _c.TailErrors);
            }
            try
            {
                await Task.Delay(1000, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnTailed(long seq, ref long maxSeq)
    {
        if (!_entries.TryGetValue(seq, out var entry))
        {
            Interlocked.Increment(ref _c.Unexpected);
            return;
        }
        if (entry.Tailed)
        {
            Interlocked.Increment(ref _c.TailDuplicates);
            return;
        }
        entry.Tailed = true;
        Interlocked.Increment(ref _c.Tailed);
        if (seq < maxSeq)
        {
            Interlocked.Increment(ref _c.OutOfOrder);
        }
        maxSeq = Math.Max(maxSeq, seq);
        var latency = Stopwatch.GetElapsedTime(entry.CreatedAt);
        lock (_latencies)
        {
            _latencies.Add(latency.TotalSeconds);
        }
        if (latency > options.Wait)
        {
            Interlocked.Increment(ref _c.Late);
        }
        if (entry.TailMissingCounted)
        {
            // Counted missing by the tail earlier; it did arrive, only late.
            Interlocked.Decrement(ref _c.TailMissing);
        }
    }

    private async Task CheckLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.QueryEvery);
        while (await timer.WaitForNextTickAsync(ct))
        {
            await CheckAsync(final: false, ct);
        }
    }

    /// <summary>
    /// Entries older than --wait (all of them at the end): not seen by the tail → tail-missing; acknowledged but not
    /// returned by a query of the store → missing (data loss). A query that returns an entry twice → duplicate.
    /// </summary>
    private async Task CheckAsync(bool final, CancellationToken ct)
    {
        var cutoff = Stopwatch.GetTimestamp() - (long)(options.Wait.TotalSeconds * Stopwatch.Frequency);
        var due = _entries.Values.Where(e => !e.Checked && e.AckedAt is not null && (final || e.CreatedAt < cutoff)).OrderBy(e => e.Seq).ToList();
        if (due.Count == 0)
        {
            return;
        }
        var stored = await QueryAsync(due[0].Ts, due[^1].Ts + 1, ct);
        if (stored is null)
        {
            Interlocked.Increment(ref _c.QueryErrors);
            return;
        }
        foreach (var e in due)
        {
            e.Checked = true;
            Interlocked.Increment(ref _c.SpotChecked);
            var count = stored.GetValueOrDefault(e.Seq);
            if (count == 0)
            {
                Interlocked.Increment(ref _c.StoreMissing);
            }
            else if (count > 1)
            {
                Interlocked.Add(ref _c.StoreDuplicates, count - 1);
            }
            if (!e.Tailed && !e.TailMissingCounted)
            {
                e.TailMissingCounted = true;
                Interlocked.Increment(ref _c.TailMissing);
            }
        }
    }

    /// <summary>Sequence number → times returned, over [startNs, endNs) forward; null when a query failed.</summary>
    private async Task<Dictionary<long, int>?> QueryAsync(long startNs, long endNs, CancellationToken ct)
    {
        var result = new Dictionary<long, int>();
        var from = startNs;
        while (true)
        {
            var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString(Selector)}&start={from}&end={endNs}&limit=5000&direction=forward";
            try
            {
                using var response = await _http.GetAsync(url, ct);
                if (!response.IsSuccessStatusCode)
                {
                    return null;
                }
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                var values = doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                    .SelectMany(s => s.GetProperty("values").EnumerateArray())
                    .Select(v => (Ts: long.Parse(v[0].GetString()!, CultureInfo.InvariantCulture), Seq: SeqOf(v[1].GetString()!)))
                    .ToList();
                foreach (var (_, seq) in values)
                {
                    result[seq] = result.GetValueOrDefault(seq) + 1;
                }
                if (values.Count < 5000)
                {
                    return result;
                }
                // Next page: after the last timestamp (entries of one timestamp never span pages here: one per ts).
                from = values.Max(v => v.Ts) + 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                return null;
            }
        }
    }

    private async Task MetricsLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lastPrint = DateTime.UtcNow;
        while (await timer.WaitForNextTickAsync(ct))
        {
            WriteMetrics();
            if (DateTime.UtcNow - lastPrint > TimeSpan.FromSeconds(30))
            {
                lastPrint = DateTime.UtcNow;
                Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} written {_c.Written} acked {_c.Acked} tailed {_c.Tailed} push errors {_c.PushErrors} tail reconnects {_c.TailConnects - 1} store missing {_c.StoreMissing}");
            }
        }
    }

    private void WriteMetrics()
    {
        if (options.MetricsFile is null)
        {
            return;
        }
        var text = new StringBuilder();
        foreach (var (name, help, value) in _c.All())
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        }
        File.WriteAllText(options.MetricsFile + ".tmp", text.ToString());
        File.Move(options.MetricsFile + ".tmp", options.MetricsFile, overwrite: true);
    }

    private void PrintSummary()
    {
        Console.WriteLine();
        Console.WriteLine("| metric | value |");
        Console.WriteLine("|---|---|");
        foreach (var (name, _, value) in _c.All())
        {
            Console.WriteLine($"| {name} | {value} |");
        }
        double[] sorted;
        lock (_latencies)
        {
            sorted = [.. _latencies.Order()];
        }
        if (sorted.Length > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| tail latency p50 / p99 / max | {sorted[sorted.Length / 2] * 1000:F0} ms / {sorted[(int)(sorted.Length * 0.99)] * 1000:F0} ms / {sorted[^1] * 1000:F0} ms |"));
        }
    }

    private static long SeqOf(string line)
    {
        var parts = line.Split(' ', 3);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : -1;
    }

    private static long NowNs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 + (Stopwatch.GetTimestamp() % 1_000_000);

    private static async Task Quiet(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Entry(long seq, long ts, string line, long createdAt)
    {
        public long Seq { get; } = seq;
        public long Ts { get; } = ts;
        public string Line { get; } = line;
        public long CreatedAt { get; } = createdAt;
        public long? AckedAt { get; set; }
        public bool Tailed { get; set; }
        public bool Checked { get; set; }
        public bool TailMissingCounted { get; set; }
    }

    private sealed class Counters
    {
        public long Written;
        public long Acked;
        public long PushErrors;
        public long Tailed;
        public long TailConnects;
        public long TailErrors;
        public long TailDuplicates;
        public long TailMissing;
        public long OutOfOrder;
        public long Late;
        public long Unexpected;
        public long SpotChecked;
        public long StoreMissing;
        public long StoreDuplicates;
        public long QueryErrors;

        public IEnumerable<(string Name, string Help, long Value)> All() =>
        [
            ("loki_canary_entries_total", "lines written", Written),
            ("loki_canary_acked_entries_total", "lines whose push was acknowledged", Acked),
            ("loki_canary_push_errors_total", "failed push attempts (retried)", PushErrors),
            ("loki_canary_websocket_entries_total", "distinct lines received by the tail", Tailed),
            ("loki_canary_websocket_connects_total", "tail connections opened", TailConnects),
            ("loki_canary_websocket_errors_total", "tail connections that failed", TailErrors),
            ("loki_canary_websocket_duplicate_entries_total", "lines the tail delivered again (replay after a reconnect)", TailDuplicates),
            ("loki_canary_websocket_missing_entries_total", "lines the tail never delivered", TailMissing),
            ("loki_canary_out_of_order_entries_total", "lines the tail delivered after a later one on the same connection", OutOfOrder),
            ("loki_canary_late_entries_total", "lines the tail delivered more than --wait after they were written", Late),
            ("loki_canary_unexpected_entries_total", "lines received that were never written", Unexpected),
            ("loki_canary_spot_check_entries_total", "acknowledged lines queried back from the store", SpotChecked),
            ("loki_canary_missing_entries_total", "acknowledged lines a query did not return (lost)", StoreMissing),
            ("loki_canary_duplicate_entries_total", "lines a query returned more than once", StoreDuplicates),
            ("loki_canary_query_errors_total", "spot-check queries that failed", QueryErrors),
        ];
    }
}
