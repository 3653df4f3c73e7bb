using System.Text;
using Microsoft.AspNetCore.Http;

namespace Orleans.Loki.Gateway.Http;

/// <summary>Reads a <c>application/x-www-form-urlencoded</c> (or multipart) body, turning every parsing failure into a 400/413 with a text.</summary>
public static class FormBody
{
    public static async Task<IFormCollection> ReadAsync(HttpContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Request.ContentLength > BodyLimits.MaxFormBytes)
        {
            throw new ClientRequestException(StatusCodes.Status413PayloadTooLarge, BodyLimits.FormTooLarge);
        }
        BodyLimits.Set(ctx, BodyLimits.MaxFormBytes);
        try
        {
            return await ctx.Request.ReadFormAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ClientRequestException(StatusCodes.Status413PayloadTooLarge, BodyLimits.FormTooLarge, e);
        }
        catch (InvalidDataException e)
        {
            // Form limits (value length, count) and malformed multipart bodies.
            throw new ClientRequestException(StatusCodes.Status400BadRequest, "invalid form body: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // Incorrect Content-Type (e.g. multipart without a boundary).
            throw new ClientRequestException(StatusCodes.Status400BadRequest, "invalid form body: " + e.Message, e);
        }
        catch (IOException e) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            // A multipart body that ends before its closing boundary.
            throw new ClientRequestException(StatusCodes.Status400BadRequest, "invalid form body: " + e.Message, e);
        }
        catch (DecoderFallbackException e)
        {
            throw new ClientRequestException(StatusCodes.Status400BadRequest, "invalid form body: " + e.Message, e);
        }
    }
}
