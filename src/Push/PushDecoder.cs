using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>
/// Turns the bytes of a push request (Loki JSON, Loki protobuf + snappy, OTLP JSON / protobuf, optionally
/// gzip / deflate compressed) into streams. Never throws for bad input: every failure is a
/// <see cref="PushDecodeResult"/> with the HTTP status and a Loki-like message.
/// </summary>
/// <remarks>
/// Invalid UTF-8 in log lines: Loki stores line bytes as sent (its protobuf and JSON decoders do not
/// validate them), so lines are kept byte for byte here too: protobuf lines are read as raw bytes and
/// unescaped JSON strings are copied verbatim. Only a JSON string that mixes escapes with invalid UTF-8
/// or has a lone surrogate escape (<c>\ud800</c>) cannot be unescaped; it is a 400. Labels and
/// structured metadata are strings: invalid UTF-8 there becomes U+FFFD, which validation removes from
/// metadata values as Loki does.
/// </remarks>
public static class PushDecoder
{
    internal const string ApplicationJson = "application/json";
    internal const string ApplicationProtobuf = "application/x-protobuf";

    /// <summary>Decodes a push body using the system clock for OTLP records that carry no timestamp.</summary>
    /// <param name="body">The complete request body as received (after HTTP chunking is undone).</param>
    /// <param name="contentType">The Content-Type header, or null when absent.</param>
    /// <param name="contentEncoding">The Content-Encoding header, or null when absent.</param>
    /// <param name="formatHint">The endpoint the body arrived on (Loki push or OTLP).</param>
    /// <param name="maxDecompressedBytes">Largest body accepted after decompression; 0 or less means no limit.</param>
    public static PushDecodeResult Decode(ReadOnlySpan<byte> body, string? contentType, string? contentEncoding, PushFormat formatHint, long maxDecompressedBytes)
        => Decode(body, contentType, contentEncoding, formatHint, maxDecompressedBytes, TimeProvider.System);

    /// <summary>As the other overload; <paramref name="time"/> supplies "now" for OTLP records without timestamps.</summary>
    public static PushDecodeResult Decode(ReadOnlySpan<byte> body, string? contentType, string? contentEncoding, PushFormat formatHint, long maxDecompressedBytes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var mediaType = MediaType(contentType);
        var otlp = formatHint is PushFormat.OtlpJson or PushFormat.OtlpProtobuf;
        PushFormat format;
        if (otlp)
        {
            format = mediaType switch
            {
                null => formatHint,
                ApplicationJson => PushFormat.OtlpJson,
                ApplicationProtobuf => PushFormat.OtlpProtobuf,
                _ => 0,
            };
            if (format == 0)
            {
                return PushDecodeResult.Unsupported($"content type: {contentType} is not supported");
            }
        }
        else
        {
            // Loki: application/json is JSON; anything else, including no Content-Type, is snappy protobuf.
            format = mediaType == ApplicationJson ? PushFormat.Json : PushFormat.Protobuf;
        }

        var encoding = contentEncoding?.Trim().ToLowerInvariant() ?? string.Empty;
        Decompressor.Codec codec;
        switch (encoding)
        {
            case "" or "identity":
                return DecodePlain(body, format, maxDecompressedBytes, time);
            case "snappy" when !otlp:
                // Loki accepts this header and ignores it: protobuf bodies are snappy anyway.
                return DecodePlain(body, format, maxDecompressedBytes, time);
            case "snappy" when !IsSnappyFramed(body):
                // OTLP exporters send "snappy" as a raw block (the OpenTelemetry collector since v0.116) or framed.
                return DecodeSnappyBlock(body, format, maxDecompressedBytes, time);
            case "snappy" or "x-snappy-framed" when otlp:
                codec = Decompressor.Codec.SnappyFramed;
                break;
            case "gzip" or "x-gzip":
                codec = Decompressor.Codec.Gzip;
                break;
            case "deflate":
                codec = Decompressor.Codec.Deflate;
                break;
            default:
                return PushDecodeResult.Unsupported($"Content-Encoding \"{contentEncoding}\" not supported");
        }

        var outcome = Decompressor.Inflate(body, codec, maxDecompressedBytes, out var buffer, out var length, out var error);
        switch (outcome)
        {
            case Decompressor.Outcome.TooLarge:
                return PushDecodeResult.TooLarge(error);
            case Decompressor.Outcome.Corrupt:
                return PushDecodeResult.BadRequest(error);
        }

        try
        {
            return DecodeFormat(buffer.AsSpan(0, length), format, maxDecompressedBytes, time);
        }
        finally
        {
            // Every decoder copies what it keeps, so the inflated bytes can go back.
            PushBuffers.Return(buffer);
        }
    }

    /// <summary>Snappy's framing format starts with its stream identifier chunk.</summary>
    private static bool IsSnappyFramed(ReadOnlySpan<byte> body) =>
        body.StartsWith((ReadOnlySpan<byte>)[0xff, 0x06, 0x00, 0x00, (byte)'s', (byte)'N', (byte)'a', (byte)'P', (byte)'p', (byte)'Y']);

    /// <summary>An OTLP body compressed as one raw snappy block: checked like Loki's protobuf push before inflating.</summary>
    private static PushDecodeResult DecodeSnappyBlock(ReadOnlySpan<byte> body, PushFormat format, long max, TimeProvider time)
    {
        int declared;
        try
        {
            declared = body.IsEmpty ? 0 : Snappier.Snappy.GetUncompressedLength(body);
        }
        catch (InvalidDataException)
        {
            return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
        }
        if (max > 0 && declared > max)
        {
            return PushDecodeResult.TooLarge(LokiErrors.DecompressedTooLarge(declared, max));
        }
        if (!body.IsEmpty && !SnappyBlock.IsWellFormed(body, declared))
        {
            return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
        }

        var buffer = PushBuffers.Rent(Math.Max(declared, 1));
        try
        {
            if (!body.IsEmpty && (!Snappier.Snappy.TryDecompress(body, buffer, out var length) || length != declared))
            {
                return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
            }
            return DecodeFormat(buffer.AsSpan(0, declared), format, max, time);
        }
        catch (InvalidDataException)
        {
            return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
        }
        finally
        {
            PushBuffers.Return(buffer);
        }
    }

    private static PushDecodeResult DecodePlain(ReadOnlySpan<byte> body, PushFormat format, long max, TimeProvider time)
    {
        // A protobuf body is snappy compressed: its limit is checked against the declared length instead.
        if (max > 0 && body.Length > max && format != PushFormat.Protobuf)
        {
            return PushDecodeResult.TooLarge(LokiErrors.MessageTooLarge(body.Length, max));
        }

        return DecodeFormat(body, format, max, time);
    }

    private static PushDecodeResult DecodeFormat(ReadOnlySpan<byte> body, PushFormat format, long max, TimeProvider time) => format switch
    {
        PushFormat.Json => LokiJsonDecoder.Decode(body),
        PushFormat.Protobuf => LokiProtobufDecoder.Decode(body, max),
        PushFormat.OtlpJson => OtlpJsonReader.TryRead(body, out var request, out var error)
            ? OtlpMapper.Map(request, time)
            : PushDecodeResult.BadRequest(error),
        _ => OtlpProtobufDecoder.Decode(body, time),
    };

    /// <summary>The media type without parameters, lower case; null when the header is missing or blank.</summary>
    private static string? MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';');
        var type = semicolon >= 0 ? contentType[..semicolon] : contentType;
        return type.Trim().ToLowerInvariant();
    }
}
