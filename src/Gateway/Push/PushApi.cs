using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Loki.Gateway.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Gateway.Tenancy;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Ingester;
using Orleans.Loki.Model;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway.Push;

/// <summary><c>POST /loki/api/v1/push</c> and <c>POST /otlp/v1/logs</c>.</summary>
public static class PushApi
{
    public static IEndpointRouteBuilder MapPushApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/loki/api/v1/push", (HttpContext ctx, PushHandler handler) => handler.HandleAsync(ctx, PushFormat.Json));
        app.MapPost("/api/prom/push", (HttpContext ctx, PushHandler handler) => handler.HandleAsync(ctx, PushFormat.Json));
        app.MapPost("/otlp/v1/logs", (HttpContext ctx, PushHandler handler) => handler.HandleAsync(ctx, PushFormat.OtlpJson));
        return app;
    }
}

/// <summary>Reads, decodes, validates and distributes one push request.</summary>
/// <remarks>
/// With a <see cref="IPushMemoryBudget"/> (every process that runs stream grains), a push is admitted before its body
/// is read only while the silo's unflushed data plus the pushes already in flight are under
/// <c>ingester.max_unflushed_bytes</c>, and answered 503 otherwise: memory is bounded however many clients push at once.
/// </remarks>
public sealed class PushHandler(GatewayOptions options, ITenantLimits limits, PushValidator validator, Distributor distributor, IngestionRateLimiter rateLimiter, StreamAdmission admission, IPushMemoryBudget? budget = null)
{
    /// <summary>
    /// What a push holds while in flight, as a multiple of its body: the body, the decoded lines and the batches
    /// sent to the stream grains.
    /// </summary>
    public const int InFlightBodyMultiple = 3;

    public async Task HandleAsync(HttpContext ctx, PushFormat hint)
    {
        if (!TenantResolver.TryResolve(ctx, options.AuthEnabled, out var tenant, out var tenantError))
        {
            await Results.Text(tenantError!.Message, statusCode: tenantError.StatusCode).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        var declared = ctx.Request.ContentLength is { } length && length > 0 ? Math.Min(length, options.MaxPushBodyBytes) : 64 * 1024;
        using var reservation = PushReservation.TryTake(budget, declared * InFlightBodyMultiple);
        if (reservation is null)
        {
            // Refused before a byte of the body is read: nothing of it is held or stored, and clients retry a 503.
            PushMetrics.Discarded(tenant, RejectReasons.IngesterMemoryLimit, 0, ctx.Request.ContentLength ?? 0);
            PushMetrics.Refused(tenant, RejectReasons.IngesterMemoryLimit, PushMetrics.StageAdmission);
            await Results.Text(budget!.AdmissionRefusal(tenant), statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        // Kestrel's own cap (30,000,000 bytes unless configured) would cut in first with an exception and an empty
        // 413: the configured limit is checked here, with Loki's text.
        BodyLimits.Lift(ctx);
        var read = await ReadBodyAsync(ctx.Request.BodyReader, ctx.Request.ContentLength, options.MaxPushBodyBytes, ctx.RequestAborted).ConfigureAwait(false);
        if (read.TooLarge)
        {
            PushMetrics.Discarded(tenant, LokiErrors.RequestBodyTooLarge, 0, read.Length);
            await Results.Text(LokiErrors.MessageTooLarge(read.Length, options.MaxPushBodyBytes), statusCode: 413).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        PushDecodeResult decoded;
        try
        {
            decoded = PushDecoder.Decode(read.Body.AsSpan(0, read.Length), ctx.Request.ContentType, ctx.Request.Headers.ContentEncoding.ToString(), hint, options.MaxDecompressedPushBytes);
        }
        finally
        {
            PushBuffers.Return(read.Body);
        }

        // The lines are slices of the result's pooled buffer until here, at the end of the request, when every
        // stream's entries have been copied into the batches sent to the stream grains.
        using var decodedLines = decoded;
        if (!decoded.Success)
        {
            await Results.Text(decoded.Error, statusCode: decoded.StatusCode).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        if (decoded.Streams.Count == 0)
        {
            // Loki (since 3.4) answers a push without streams with 422; a stream without entries is still a valid push.
            await Results.Text(LokiErrors.MissingStreamsErrorMsg, statusCode: StatusCodes.Status422UnprocessableEntity).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        var validated = validator.Validate(tenant, decoded.Streams, limits.Validation(tenant));
        // A compressed body decodes to more than it declared: the lines and their batches count from here on.
        reservation.GrowTo(read.Length + 2 * validated.AcceptedBytes);
        foreach (var (reason, (lines, bytes)) in validated.Discarded)
        {
            PushMetrics.Discarded(tenant, reason, lines, bytes);
        }
        if (validated.AcceptedBytes > 0 && !rateLimiter.TryAcquire(tenant, validated.AcceptedBytes, out var rateLimit))
        {
            // Loki refuses the whole request when the tenant is over its rate: nothing of it is stored.
            PushMetrics.Discarded(tenant, LokiErrors.RateLimited, validated.AcceptedLines, validated.AcceptedBytes);
            var message = string.Format(CultureInfo.InvariantCulture, LokiErrors.RateLimitedErrorMsg, tenant, rateLimit, validated.AcceptedLines, validated.AcceptedBytes);
            await Results.Text(message, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        var errors = new List<string>();
        var status = StatusCodes.Status400BadRequest;
        if (validated.ErrorBody is not null)
        {
            errors.Add(validated.ErrorBody);
        }
        var receivedLines = validated.AcceptedLines;
        var receivedBytes = validated.AcceptedBytes;
        var joined = new HashSet<ulong>();
        if (validated.Streams.Count > 0 && await admission.AdmitAsync(tenant, validated, joined).ConfigureAwait(false) is { } refused)
        {
            PushMetrics.Discarded(tenant, LokiErrors.StreamLimit, refused.Lines, refused.Bytes);
            // Refused entries may carry metadata added by validation (detected_level): never count below zero.
            receivedLines = Math.Max(0, receivedLines - refused.Lines);
            receivedBytes = Math.Max(0, receivedBytes - refused.Bytes);
            errors.AddRange(refused.Errors);
            status = StatusCodes.Status429TooManyRequests;
        }
        PushMetrics.Received(tenant, receivedLines, receivedBytes);
        if (validated.Streams.Count > 0)
        {
            var result = await distributor.PushAsync(tenant, validated, ctx.RequestAborted, joined).ConfigureAwait(false);
            foreach (var (reason, (lines, bytes)) in result.Discarded)
            {
                PushMetrics.Discarded(tenant, reason, lines, bytes);
                if (reason == RejectReasons.IngesterMemoryLimit)
                {
                    PushMetrics.Refused(tenant, reason, PushMetrics.StageAppend);
                    // The silo holding the stream is over its memory cap: a server condition, retried by clients.
                    status = StatusCodes.Status503ServiceUnavailable;
                }
                else if (reason is LokiErrors.PerStreamRateLimit or LokiErrors.StreamLimit && status != StatusCodes.Status503ServiceUnavailable)
                {
                    // Loki's ingester answers stream limits with 429 so that clients back off and retry.
                    status = StatusCodes.Status429TooManyRequests;
                }
            }
            errors.AddRange(result.Errors);
        }

        if (errors.Count > 0)
        {
            await Results.Text(string.Join('\n', errors), statusCode: status).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (hint is PushFormat.OtlpJson or PushFormat.OtlpProtobuf)
        {
            // OTLP exporters expect 200 with an (empty) ExportLogsServiceResponse.
            await Results.Text("{}", "application/json", statusCode: 200).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Reads the whole body into a pooled buffer, stopping as soon as it passes the limit.</summary>
    /// <remarks>
    /// The buffer starts at the declared Content-Length (when it is within the limit): push bodies of a megabyte
    /// or more would otherwise be copied again at every doubling from 64 KiB. The declared length is only a
    /// hint; a body that turns out longer or shorter is still read (or refused) by what actually arrives.
    /// </remarks>
    private static async Task<(byte[] Body, int Length, bool TooLarge)> ReadBodyAsync(PipeReader reader, long? contentLength, long limit, CancellationToken ct)
    {
        if (contentLength > limit)
        {
            // Declared too large: refused without reading (and holding) any of it.
            return ([], (int)Math.Min(contentLength.Value, int.MaxValue), true);
        }

        var initial = contentLength is { } declared && declared > 0 && declared <= limit && declared <= Array.MaxLength
            ? (int)declared
            : 64 * 1024;
        var buffer = PushBuffers.Rent(initial);
        var length = 0;
        while (true)
        {
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var data = result.Buffer;
            if (length + data.Length > limit)
            {
                var seen = length + data.Length;
                reader.AdvanceTo(data.End);
                PushBuffers.Return(buffer);
                return ([], (int)Math.Min(seen, int.MaxValue), true);
            }
            if (length + data.Length > buffer.Length)
            {
                var bigger = PushBuffers.Rent((int)Math.Min(Math.Max(buffer.Length * 2L, length + data.Length), Math.Min(limit, Array.MaxLength)));
                buffer.AsSpan(0, length).CopyTo(bigger);
                PushBuffers.Return(buffer);
                buffer = bigger;
            }
            data.CopyTo(buffer.AsSpan(length));
            length += (int)data.Length;
            reader.AdvanceTo(data.End);
            if (result.IsCompleted)
            {
                return (buffer, length, false);
            }
        }
    }
}
