using System.Text;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Tenancy;

namespace Orleans.Loki.Gateway.Ui;

/// <summary>
/// Browsers cannot set headers on a websocket, so the UI's live tail sends its tenant and token as websocket
/// subprotocols: <c>loki.v1</c>, <c>loki.org.&lt;base64url tenant&gt;</c> and <c>loki.auth.&lt;base64url Authorization
/// value&gt;</c>. For websocket requests this turns them into <c>X-Scope-OrgID</c> and <c>Authorization</c> before
/// authentication runs (headers already present win); the tail then accepts with <c>loki.v1</c>.
/// And a 401 with a <c>Basic</c> challenge makes a browser open its own password dialog (a headless one waits
/// forever): requests from the UI (header <c>X-Loki-UI</c>) get the <c>Bearer</c> challenge only, and the page
/// shows the server's text instead.
/// </summary>
public sealed class BrowserCredentials(RequestDelegate next)
{
    /// <summary>The subprotocol the UI asks for and the server answers with.</summary>
    public const string Protocol = "loki.v1";

    private const string OrgPrefix = "loki.org.";
    private const string AuthPrefix = "loki.auth.";

    /// <summary>The header the UI's requests carry.</summary>
    public const string UiHeader = "X-Loki-UI";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey(UiHeader))
        {
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                if (response.StatusCode == StatusCodes.Status401Unauthorized)
                {
                    response.Headers.WWWAuthenticate = "Bearer realm=\"loki\"";
                }
                return Task.CompletedTask;
            }, context.Response);
        }
        if (context.WebSockets.IsWebSocketRequest)
        {
            foreach (var protocol in context.WebSockets.WebSocketRequestedProtocols)
            {
                if (protocol.StartsWith(OrgPrefix, StringComparison.Ordinal) && string.IsNullOrEmpty(context.Request.Headers[TenantResolver.HeaderName]) &&
                    TryDecode(protocol[OrgPrefix.Length..], out var tenant))
                {
                    context.Request.Headers[TenantResolver.HeaderName] = tenant;
                }
                else if (protocol.StartsWith(AuthPrefix, StringComparison.Ordinal) && string.IsNullOrEmpty(context.Request.Headers.Authorization) &&
                    TryDecode(protocol[AuthPrefix.Length..], out var authorization))
                {
                    context.Request.Headers.Authorization = authorization;
                }
            }
        }
        return next(context);
    }

    /// <summary><see cref="Protocol"/> when the client asked for it, else null (no subprotocol).</summary>
    public static string? SubProtocol(HttpContext context) =>
        context.WebSockets.WebSocketRequestedProtocols.Contains(Protocol, StringComparer.Ordinal) ? Protocol : null;

    private static bool TryDecode(string base64Url, out string value)
    {
        value = "";
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        var buffer = new byte[s.Length];
        if (!Convert.TryFromBase64String(s, buffer, out var n))
        {
            return false;
        }
        value = Encoding.UTF8.GetString(buffer, 0, n);
        return true;
    }
}
