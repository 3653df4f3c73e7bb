using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Orleans.Loki.Gateway.Http;

/// <summary>Per-endpoint request body caps in place of Kestrel's one default (30,000,000 bytes).</summary>
public static class BodyLimits
{
    /// <summary>Go's <c>net/http</c> cap on a form body (<c>maxFormSize</c>), which Loki's query endpoints inherit.</summary>
    public const long MaxFormBytes = 10L << 20;

    /// <summary>Go's text when a form body is over <see cref="MaxFormBytes"/>.</summary>
    public const string FormTooLarge = "http: POST too large";

    /// <summary>Removes Kestrel's cap for an endpoint that enforces its own configured limit while reading.</summary>
    public static void Lift(HttpContext ctx) => Set(ctx, null);

    /// <summary>Sets Kestrel's cap for this request (ignored once the body has started to be read).</summary>
    public static void Set(HttpContext ctx, long? max)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }
    }
}
