using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace Orleans.Loki.TestSupport;

/// <summary>
/// A websocket client of <c>/loki/api/v1/tail</c>. A background loop receives every message (cancelling a websocket
/// receive would abort the connection, so waits happen on the collected state instead, woken by every message).
/// Shared by the test projects that run a server (linked, not referenced).
/// </summary>
internal sealed class TailClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Lock _gate = new();
    private readonly List<(long Ts, string Line, Dictionary<string, string> Labels)> _entries = [];
    private int _messages;
    private Task _pump = Task.CompletedTask;

    /// <summary>Completed (and replaced) whenever a message or the close arrives.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(long Ts, string Line, Dictionary<string, string> Labels)> Entries
    {
        get { lock (_gate) { return [.. _entries]; } }
    }

    public int Messages
    {
        get { lock (_gate) { return _messages; } }
    }

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    /// <summary>Opens a tail on the server at <paramref name="httpBase"/>; <paramref name="extra"/> is appended to the query string.</summary>
    public static async Task<TailClient> ConnectAsync(Uri httpBase, string tenant, string query, string extra = "")
    {
        var client = new TailClient();
        client._socket.Options.SetRequestHeader("X-Scope-OrgID", tenant);
        var uri = new Uri($"ws://{httpBase.Host}:{httpBase.Port}/loki/api/v1/tail?query={Uri.EscapeDataString(query)}{extra}");
        await client._socket.ConnectAsync(uri, CancellationToken.None);
        client._pump = client.PumpAsync();
        return client;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after the deadline or when the server closed first.</summary>
    public async Task ReceiveUntilAsync(Func<TailClient, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition(this))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; received [{string.Join(", ", Entries.Select(e => e.Line))}]");
            await NextChangeAsync(deadline);
            if (_pump.IsCompleted && !condition(this))
            {
                Assert.Fail($"the connection ended ({CloseStatus} '{CloseDescription}') before {what}");
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for one more message (or the close); false when none came.</summary>
    public async Task<bool> WaitForMessageAsync(TimeSpan timeout)
    {
        var before = Messages;
        var deadline = DateTime.UtcNow + timeout;
        while (Messages == before && !_pump.IsCompleted && DateTime.UtcNow < deadline)
        {
            await NextChangeAsync(deadline);
        }
        return Messages != before || _pump.IsCompleted;
    }

    /// <summary>Waits for the next message or close, or the deadline, whichever comes first.</summary>
    private async Task NextChangeAsync(DateTime deadline)
    {
        Task changed;
        lock (_gate)
        {
            changed = _changed.Task;
        }
        var remaining = deadline - DateTime.UtcNow;
        if (remaining > TimeSpan.Zero)
        {
            await Task.WhenAny(changed, _pump, Task.Delay(remaining));
        }
    }

    private void Signal()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    public bool Has(string line) => Entries.Any(e => e.Line == line);

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = result.CloseStatus;
                    CloseDescription = result.CloseStatusDescription;
                    return;
                }
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    Parse(message.ToArray());
                    message.SetLength(0);
                }
            }
        }
        catch (WebSocketException)
        {
            // Connection lost or disposed: the pump ends.
        }
    }

    private void Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        lock (_gate)
        {
            foreach (var stream in doc.RootElement.GetProperty("streams").EnumerateArray())
            {
                var labels = stream.GetProperty("stream").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                foreach (var value in stream.GetProperty("values").EnumerateArray())
                {
                    _entries.Add((long.Parse(value[0].GetString()!, CultureInfo.InvariantCulture), value[1].GetString()!, labels));
                }
            }
            _messages++;
        }
        Signal();
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                // Close handshake; the pump receives the server's close frame.
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
                await _pump.WaitAsync(cts.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The server is gone or slow to answer; the socket is disposed either way.
            }
        }
        _socket.Dispose();
        await _pump.ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}
