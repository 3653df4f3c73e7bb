using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orleans.Loki.Gateway.Ui;

/// <summary>
/// The built-in web UI: plain ES modules and CSS embedded in this assembly (no CDN, no build step), served at
/// <c>/</c> and under <c>/ui/</c>. Assets carry an ETag; the browser revalidates them, so an upgraded binary serves
/// its own UI at once.
/// </summary>
public static class UiApi
{
    private const string Prefix = "ui/";

    private static readonly Lazy<FrozenDictionary<string, Asset>> s_assets = new(Load);

    public static IEndpointRouteBuilder MapLokiUi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext ctx) => ServeAsync(ctx, "index.html"));
        app.MapGet("/ui", (HttpContext ctx) => ServeAsync(ctx, "index.html"));
        app.MapGet("/ui/{**path}", (HttpContext ctx, string? path) => ServeAsync(ctx, string.IsNullOrEmpty(path) ? "index.html" : path));
        return app;
    }

    /// <summary>The embedded asset names (relative to <c>/ui/</c>).</summary>
    internal static IReadOnlyCollection<string> Names => s_assets.Value.Keys;

    private static async Task ServeAsync(HttpContext ctx, string path)
    {
        if (!s_assets.Value.TryGetValue(path, out var asset))
        {
            // Client-side routes fall back to the page itself; missing files with an extension are 404.
            if (Path.HasExtension(path) || !s_assets.Value.TryGetValue("index.html", out asset))
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                await ctx.Response.WriteAsync("404 page not found\n").ConfigureAwait(false);
                return;
            }
        }
        ctx.Response.Headers.ETag = asset.ETag;
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        if (ctx.Request.Headers.IfNoneMatch == asset.ETag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        ctx.Response.ContentType = asset.ContentType;
        ctx.Response.ContentLength = asset.Bytes.Length;
        await ctx.Response.Body.WriteAsync(asset.Bytes, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(UiApi).Assembly;
        var result = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes).AsSpan(0, 8)).ToLowerInvariant() + "\"";
            result[name[Prefix.Length..]] = new Asset(bytes, ContentType(name), etag);
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
