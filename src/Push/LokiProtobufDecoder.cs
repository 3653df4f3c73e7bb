using System.Buffers;
using Google.Protobuf;
using Orleans.Loki.Push.Wire;

namespace Orleans.Loki.Push;

/// <summary>Decodes Loki's push protobuf: a raw snappy block (not the framed format) of <c>logproto.PushRequest</c>.</summary>
internal static class LokiProtobufDecoder
{
    public static PushDecodeResult Decode(ReadOnlySpan<byte> body, long max)
    {
        // The snappy preamble declares the uncompressed length: check it before allocating anything,
        // so a body that lies about its length cannot make us reserve gigabytes.
        var declared = DeclaredLength(body);
        if (declared < 0)
        {
            return PushDecodeResult.BadRequest("snappy: corrupt input");
        }

        if (max > 0 && declared > max)
        {
            return PushDecodeResult.TooLarge(LokiErrors.DecompressedTooLarge(declared, max));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(declared, 1));
        try
        {
            int length;
            if (body.IsEmpty)
            {
                length = 0;
            }
            else if (!Snappier.Snappy.TryDecompress(body, buffer, out length) || length != declared)
            {
                return PushDecodeResult.BadRequest("snappy: corrupt input");
            }

            PushRequest request;
            try
            {
                request = PushRequest.Parser.ParseFrom(buffer.AsSpan(0, length));
            }
            catch (InvalidProtocolBufferException e)
            {
                return PushDecodeResult.BadRequest($"proto: {e.Message}");
            }

            return Convert(request);
        }
        catch (InvalidDataException)
        {
            return PushDecodeResult.BadRequest("snappy: corrupt input");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The uncompressed length from the snappy preamble, or -1 when the preamble is malformed.</summary>
    private static int DeclaredLength(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return 0;
        }

        try
        {
            return Snappier.Snappy.GetUncompressedLength(body);
        }
        catch (InvalidDataException)
        {
            // Truncated or over-long varint.
            return -1;
        }
    }

    private static PushDecodeResult Convert(PushRequest request)
    {
        var streams = new List<PushStream>(request.Streams.Count);
        foreach (var stream in request.Streams)
        {
            var entries = new List<PushEntry>(stream.Entries.Count);
            foreach (var entry in stream.Entries)
            {
                long timestamp = 0;
                if (entry.Timestamp is { } ts && !Timestamps.TryFromSecondsAndNanos(ts.Seconds, ts.Nanos, out timestamp, out var error))
                {
                    return PushDecodeResult.BadRequest(error);
                }

                KeyValuePair<string, string>[]? metadata = null;
                if (entry.StructuredMetadata.Count > 0)
                {
                    metadata = new KeyValuePair<string, string>[entry.StructuredMetadata.Count];
                    for (var i = 0; i < metadata.Length; i++)
                    {
                        var pair = entry.StructuredMetadata[i];
                        metadata[i] = new KeyValuePair<string, string>(pair.Name, pair.Value);
                    }
                }

                // ByteString owns its array, so the line is kept without another copy.
                entries.Add(new PushEntry(timestamp, entry.Line.Memory, metadata));
            }

            streams.Add(new PushStream(stream.Labels, entries));
        }

        return PushDecodeResult.Ok(streams);
    }
}
