using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>
/// One tail websocket, from upgrade to close: subscribes with the tenant's <see cref="ITailHubGrain"/> (which enforces
/// <c>max_concurrent_tail_requests</c>; for <c>a|b</c>, with each tenant's hub, every stream labelled with its
/// <c>__tenant_id__</c>), replays the last <c>limit</c> entries since <c>start</c> from storage, then
/// sends live entries as stream grains deliver them, renewing the subscription's lease until the client leaves.
/// Errors after the upgrade close the socket with 1011 and the error text, as Loki does.
/// </summary>
internal sealed partial class TailConnection(
    WebSocket socket,
    string[] tenants,
    TailRequest request,
    IGrainFactory grains,
    GatewayOptions options,
    ITenantLimits limits,
    GrainDataSource data,
    TimeProvider time,
    ILogger<TailConnection> logger)
{
    /// <summary>Longest close reason a websocket close frame can carry (125-byte control payload minus the status code).</summary>
    private const int MaxCloseReasonBytes = 123;

    private readonly string _tenant = string.Join('|', tenants);

    public async Task RunAsync(CancellationToken aborted)
    {
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var receive = ReceiveUntilClosedAsync(closed);
        string? error = null;
        try
        {
            error = await TailAsync(closed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            // The client closed, or the connection was aborted.
        }
        catch (WebSocketException e)
        {
            // The client went away mid-write: nothing left to tell it.
            LogClientGone(logger, e, _tenant);
        }
        try
        {
            if (error is not null && socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, CloseReason(error), aborted).ConfigureAwait(false);
            }
            else if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", aborted).ConfigureAwait(false);
            }
        }
        catch (WebSocketException e)
        {
            LogClientGone(logger, e, _tenant);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The connection was aborted.
        }
        // Let the client's close frame arrive so the close handshake completes; a client that never answers is dropped.
        await receive.WaitAsync(TimeSpan.FromSeconds(2), time, CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>Runs the tail; returns the error to close with, or null when the client left.</summary>
    private async Task<string?> TailAsync(CancellationToken ct)
    {
        if (request.Expr is not LogSelectorExpr selector)
        {
            return "only log selector is supported";
        }
        Pipeline pipeline;
        try
        {
            pipeline = PipelineBuilder.Build(selector);
        }
        catch (QueryException e)
        {
            return e.Message;
        }

        // Tails hide the tenants' deleted lines, as queries do; the requests are read again before every message.
        var deletes = new TailDeletes(grains, tenants);
        await deletes.RefreshAsync(ct).ConfigureAwait(false);
        var session = new TailSession(pipeline, request.DelayForSeconds * 1_000_000_000L) { Deletes = deletes };
        // One subscription per tenant read; __tenant_id__ matchers choose the tenants and are not sent to the hubs.
        var subscriptions = MultiTenant.Select(tenants, GrainLogQuerier.ToSpecs(selector.Matchers))
            .Select(t =>
            {
                ITailObserver target = tenants.Length == 1 ? session : new TenantTailObserver(session, t.Tenant);
                var subscriber = new TailSubscriber(Guid.NewGuid(), t.Matchers, grains.CreateObjectReference<ITailObserver>(target));
                return new Subscription(t.Tenant, GrainRefs.Get<ITailHubGrain>(grains, t.Tenant), subscriber, target);
            })
            .ToList();
        var subscribed = new List<Subscription>(subscriptions.Count);
        try
        {
            foreach (var subscription in subscriptions)
            {
                var result = await subscription.Hub.SubscribeAsync(subscription.Subscriber, limits.Query(subscription.Tenant).MaxConcurrentTailRequests)
                    .WaitAsync(ct).ConfigureAwait(false);
                if (!result.Accepted)
                {
                    return result.Error;
                }
                subscribed.Add(subscription);
            }
            TailMetrics.Started();
            try
            {
                return await StreamAsync(selector, session, subscribed, ct).ConfigureAwait(false);
            }
            finally
            {
                TailMetrics.Ended();
            }
        }
        finally
        {
            foreach (var subscription in subscribed)
            {
                await UnsubscribeAsync(subscription.Hub, subscription.Subscriber.Id).ConfigureAwait(false);
            }
            foreach (var subscription in subscriptions)
            {
                grains.DeleteObjectReference<ITailObserver>(subscription.Subscriber.Observer);
            }
        }
    }

    private async Task<string?> StreamAsync(LogSelectorExpr selector, TailSession session, List<Subscription> subscriptions, CancellationToken ct)
    {
        // Subscribed first, replayed second: an entry pushed in between is in both and MarkReplayed drops the copy.
        List<TailLine> replayed;
        try
        {
            replayed = await ReplayAsync(selector, ct).ConfigureAwait(false);
        }
        catch (QueryException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return LokiErrors.ContextDeadlineExceeded;
        }
        session.MarkReplayed(replayed);
        for (var i = 0; i < replayed.Count; i += TailSession.MaxEntriesPerFrame)
        {
            await SendAsync(new TailFrame(replayed.GetRange(i, Math.Min(TailSession.MaxEntriesPerFrame, replayed.Count - i)), []), ct).ConfigureAwait(false);
        }

        var deadline = time.GetUtcNow() + options.TailMaxDuration;
        var nextRenewal = time.GetUtcNow() + TailLeases.RenewPeriod;
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (now >= deadline)
            {
                return "reached tail max duration limit";
            }
            if (now >= nextRenewal)
            {
                foreach (var subscription in subscriptions)
                {
                    await RenewAsync(subscription.Hub, subscription.Subscriber, ct).ConfigureAwait(false);
                }
                nextRenewal = now + TailLeases.RenewPeriod;
            }
            if (session.Deletes is { } deletes && session.HasDue(LokiTime.NowNs(time)))
            {
                try
                {
                    await deletes.RefreshAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The requests' grain is unreachable for now: the requests last read still apply; the next message retries.
                    LogDeletesRefreshFailed(logger, e, _tenant);
                }
            }
            var frame = session.TakeFrame(LokiTime.NowNs(time), out var nextDueNs);
            if (frame is not null)
            {
                await SendAsync(frame, ct).ConfigureAwait(false);
                continue;
            }
            var wait = Min(deadline - now, nextRenewal - now);
            if (nextDueNs is { } due)
            {
                wait = Min(wait, TimeSpan.FromTicks(Math.Max(0, (due - LokiTime.NowNs(time)) / 100) + 1));
            }
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timer.CancelAfter(wait);
            try
            {
                await session.WaitForEntriesAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Woken by the timer: something is due (an entry, a renewal, the deadline).
            }
        }
        return null;
    }

    /// <summary>The last <c>limit</c> entries in <c>[start, now)</c>, oldest first (Loki's historic tail replay).</summary>
    private async Task<List<TailLine>> ReplayAsync(LogSelectorExpr selector, CancellationToken ct)
    {
        var nowNs = LokiTime.NowNs(time);
        if (request.StartNs >= nowNs)
        {
            return [];
        }
        var queryLimits = MultiTenant.Smallest(tenants.Select(limits.Query));
        var length = TimeSpan.FromTicks((nowNs - request.StartNs) / 100);
        if (queryLimits.MaxQueryLength > TimeSpan.Zero && length > queryLimits.MaxQueryLength)
        {
            throw new QueryException(
                $"the query time range exceeds the limit (query length: {GoDuration.Format(length.Ticks * 100)}, limit: {GoDuration.FormatPrometheus(queryLimits.MaxQueryLength.Ticks * 100)})");
        }
        var engine = new LogQLEngine(new GrainLogQuerier(data, tenants), new EngineOptions { MaxQuerySeries = queryLimits.MaxQuerySeries });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(queryLimits.QueryTimeout);
        var result = await engine.ExecuteAsync(new QueryParams
        {
            Expr = selector,
            StartNs = request.StartNs,
            EndNs = nowNs,
            Direction = Direction.Backward,
            Limit = request.Limit,
        }, timeout.Token).ConfigureAwait(false);
        var lines = new List<TailLine>();
        foreach (var stream in result.Streams ?? [])
        {
            foreach (var entry in stream.Entries)
            {
                lines.Add(new TailLine(entry.TimestampNs, stream.LabelsString, stream.Labels, entry.Line));
            }
        }
        // Newest `limit` entries across streams, sent oldest first.
        lines.Sort(static (a, b) => b.TimestampNs.CompareTo(a.TimestampNs));
        if (lines.Count > request.Limit)
        {
            lines.RemoveRange(request.Limit, lines.Count - request.Limit);
        }
        lines.Reverse();
        return lines;
    }

    private async Task RenewAsync(ITailHubGrain hub, TailSubscriber subscriber, CancellationToken ct)
    {
        try
        {
            if (!await hub.RenewAsync(subscriber.Id).WaitAsync(ct).ConfigureAwait(false))
            {
                // The hub forgot the tail (re-activated elsewhere): this tail was already admitted, so no limit applies.
                await hub.SubscribeAsync(subscriber, int.MaxValue).WaitAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The lease outlives several renewal periods; the next renewal tries again.
            LogRenewFailed(logger, e, _tenant);
        }
    }

    private async Task UnsubscribeAsync(ITailHubGrain hub, Guid id)
    {
        try
        {
            await hub.UnsubscribeAsync(id).WaitAsync(TimeSpan.FromSeconds(5), time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The lease expires on its own.
            LogUnsubscribeFailed(logger, e, _tenant);
        }
    }

    private Task SendAsync(TailFrame frame, CancellationToken ct) =>
        socket.SendAsync(TailFrameWriter.Write(frame, request.Legacy), WebSocketMessageType.Text, endOfMessage: true, ct);

    /// <summary>Reads (and ignores) client messages until the client closes or the connection fails, then cancels the tail.</summary>
    private async Task ReceiveUntilClosedAsync(CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection lost or the socket disposed once the tail ended: same as a close.
        }
        try
        {
            await closed.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The tail already ended (and disposed its token source) before the connection did.
        }
    }

    /// <summary>
    /// A tail's subscription with one tenant's hub. <paramref name="Target"/> is the local observer: an object
    /// reference holds it only weakly, so the subscription keeps it alive.
    /// </summary>
    private sealed record Subscription(string Tenant, ITailHubGrain Hub, TailSubscriber Subscriber, ITailObserver Target);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string CloseReason(string error)
    {
        if (Encoding.UTF8.GetByteCount(error) <= MaxCloseReasonBytes)
        {
            return error;
        }
        var end = error.Length;
        while (end > 0 && Encoding.UTF8.GetByteCount(error.AsSpan(0, end)) > MaxCloseReasonBytes)
        {
            end--;
        }
        if (end > 0 && char.IsHighSurrogate(error[end - 1]))
        {
            end--;
        }
        return error[..end];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tail of tenant {Tenant}: client went away")]
    private static partial void LogClientGone(ILogger logger, Exception exception, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tail of tenant {Tenant}: lease renewal failed; retrying")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tail of tenant {Tenant}: reading the delete requests failed; the last read ones apply")]
    private static partial void LogDeletesRefreshFailed(ILogger logger, Exception exception, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tail of tenant {Tenant}: unsubscribe failed; the lease will expire")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string tenant);
}
