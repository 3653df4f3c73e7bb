using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Orleans.Loki.Gateway.Http;

/// <summary>
/// The outermost handler of every request: a client's mistake (unreadable or over-long body, malformed chunking,
/// a bad form, a client that went away) is answered with its 4xx and a text and logged at debug in one line; any
/// other failure is a 500 whose body says what failed, logged through <see cref="ServerErrorLog"/>. Nothing reaches
/// Kestrel's "unhandled exception" log or leaves an empty 5xx.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ServerErrorLog serverErrors, ILogger<ErrorMiddleware> logger)
{
    /// <summary>Status for a request the client abandoned (nginx's convention, as Loki uses).</summary>
    public const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext ctx)
    {
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        catch (Exception e) when (ClientError(ctx, e) is var (status, text) && status > 0)
        {
            logger.LogDebug("{Method} {Path}: {Status} {Text}", ctx.Request.Method, ctx.Request.Path.Value, status, text);
            await AnswerAsync(ctx, status, text).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var route = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? ctx.Request.Path.Value ?? "";
            serverErrors.Log(e, ctx.Request.Method, route);
            await AnswerAsync(ctx, StatusCodes.Status500InternalServerError, ServerErrorText(e)).ConfigureAwait(false);
        }
    }

    /// <summary>The status and text for a client-side failure, or status 0 when <paramref name="e"/> is the server's.</summary>
    internal static (int Status, string Text) ClientError(HttpContext ctx, Exception e)
    {
        if (e is ClientRequestException client)
        {
            return (client.StatusCode, client.Message);
        }
        if (e is BadHttpRequestException bad)
        {
            // Malformed chunked encoding, a body over Kestrel's cap, a body that stopped arriving, ...
            return (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"request body too large: {bad.Message}"
                : $"bad request: {bad.Message}");
        }
        if (ctx.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException)
        {
            // The client went away (aborted upload, closed connection): nobody reads the answer.
            return (ClientClosedRequest, "client closed the request: " + e.Message);
        }
        if (e is ConnectionResetException or ConnectionAbortedException)
        {
            return (ClientClosedRequest, "client closed the request: " + e.Message);
        }
        if (Cluster.ClusterErrors.Describe(e) is { } unavailable)
        {
            return (StatusCodes.Status503ServiceUnavailable, unavailable);
        }
        return (0, string.Empty);
    }

    internal static string ServerErrorText(Exception e)
    {
        var message = e.Message;
        var newline = message.IndexOf('\n');
        message = (newline >= 0 ? message[..newline] : message).Trim();
        return message.Length == 0 ? "internal server error" : "internal server error: " + message;
    }

    private static async Task AnswerAsync(HttpContext ctx, int status, string text)
    {
        if (ctx.Response.HasStarted)
        {
            // Headers (and maybe part of a body) are out: the only honest signal left is a broken connection.
            ctx.Abort();
            return;
        }
        if (status == ClientClosedRequest && ctx.RequestAborted.IsCancellationRequested)
        {
            ctx.Response.StatusCode = status;
            return;
        }
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        try
        {
            await ctx.Response.WriteAsync(text + "\n", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException)
        {
            // The connection went away while answering.
        }
    }
}
