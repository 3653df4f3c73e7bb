using System.IO.Compression;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>
/// Inflates gzip / deflate / framed-snappy bodies with bounded memory: a body that inflates past the cap is refused
/// after holding at most one probe buffer (at most <see cref="PushBuffers.PooledMax"/>), never the cap itself.
/// </summary>
/// <remarks>
/// The first pass inflates into a probe buffer sized from the compressed length (8x, between 64 KiB and
/// <see cref="PushBuffers.PooledMax"/>). Most bodies fit and are done. A body that does not is inflated on into the
/// same buffer only to count its size, stopping as soon as it passes the cap; a body within the cap is then inflated
/// a second time into a buffer of exactly its size. Only such large bodies pay for two passes.
/// </remarks>
internal static class Decompressor
{
    public enum Outcome
    {
        Ok,
        TooLarge,
        Corrupt,
    }

    public enum Codec
    {
        Gzip,

        /// <summary>Raw DEFLATE (RFC 1951) or zlib (RFC 1950), told apart by the zlib header.</summary>
        Deflate,

        /// <summary>Snappy's framing format (stream identifier chunk, then compressed / uncompressed chunks).</summary>
        SnappyFramed,
    }

    private const int MinProbe = 64 * 1024;

    /// <summary>
    /// Inflates <paramref name="body"/> into a buffer from <see cref="PushBuffers.Rent"/>; give it back with
    /// <see cref="PushBuffers.Return"/>. <paramref name="max"/> &lt;= 0 means no limit.
    /// </summary>
    public static unsafe Outcome Inflate(ReadOnlySpan<byte> body, Codec codec, long max, out byte[] buffer, out int length, out string error)
    {
        buffer = [];
        length = 0;
        error = string.Empty;
        if (codec == Codec.Gzip && (body.Length < 2 || body[0] != 0x1f || body[1] != 0x8b))
        {
            error = "gzip: invalid header";
            return Outcome.Corrupt;
        }
        if (body.IsEmpty)
        {
            // An empty deflate / snappy stream: nothing to inflate (and no pointer to read from).
            return Outcome.Ok;
        }

        var limit = max > 0 ? Math.Min(max, Array.MaxLength - 1L) : Array.MaxLength - 1L;
        var probeSize = (int)Math.Min(limit + 1, Math.Clamp(body.Length * 8L, MinProbe, PushBuffers.PooledMax));
        byte[]? probe = PushBuffers.Rent(probeSize);
        byte[]? exact = null;
        fixed (byte* pointer = body)
        {
            try
            {
                long total;
                using (var inflater = Open(pointer, body.Length, codec))
                {
                    total = Fill(inflater, probe.AsSpan(0, probeSize));
                    if (total < probeSize || inflater.Read(probe, 0, 1) == 0)
                    {
                        if (total > limit)
                        {
                            // A cap below the probe size: the probe holds the cap + 1 bytes.
                            error = LokiErrors.DecompressedTooLarge(total, max);
                            return Outcome.TooLarge;
                        }
                        buffer = probe;
                        length = (int)total;
                        probe = null;
                        return Outcome.Ok;
                    }

                    // Larger than the probe: count the rest (overwriting the probe) without keeping it.
                    total++;
                    while (total <= limit)
                    {
                        var read = inflater.Read(probe, 0, (int)Math.Min(probe.Length, limit + 1 - total));
                        if (read == 0)
                        {
                            break;
                        }
                        total += read;
                    }
                }

                if (total > limit)
                {
                    error = LokiErrors.DecompressedTooLarge(total, max);
                    return Outcome.TooLarge;
                }

                PushBuffers.Return(probe);
                probe = null;
                exact = PushBuffers.Rent((int)total);
                using (var inflater = Open(pointer, body.Length, codec))
                {
                    if (Fill(inflater, exact.AsSpan(0, (int)total)) != total || inflater.Read(stackalloc byte[1]) != 0)
                    {
                        // Cannot happen for a deterministic decoder; refuse rather than return a torn body.
                        error = CorruptText(codec);
                        return Outcome.Corrupt;
                    }
                }

                buffer = exact;
                length = (int)total;
                exact = null;
                return Outcome.Ok;
            }
            catch (InvalidDataException)
            {
                error = CorruptText(codec);
                return Outcome.Corrupt;
            }
            catch (IOException)
            {
                // Snappier reports some malformed frames as IOException (e.g. a truncated chunk).
                error = CorruptText(codec);
                return Outcome.Corrupt;
            }
            finally
            {
                if (probe is not null)
                {
                    PushBuffers.Return(probe);
                }
                if (exact is not null)
                {
                    PushBuffers.Return(exact);
                }
            }
        }
    }

    private static string CorruptText(Codec codec) => codec switch
    {
        Codec.Gzip => "gzip: invalid compressed data",
        Codec.Deflate => "flate: corrupt input",
        _ => "snappy: corrupt input",
    };

    private static unsafe Stream Open(byte* pointer, int length, Codec codec)
    {
        var input = new UnmanagedMemoryStream(pointer, length);
        var first = length >= 2 ? new ReadOnlySpan<byte>(pointer, 2) : default;
        // Go's "deflate" reader expects raw DEFLATE (RFC 1951) while many HTTP clients send zlib
        // (RFC 1950, what the HTTP spec calls deflate): tell them apart by the zlib header check bits.
        var zlib = codec == Codec.Deflate && first.Length == 2 && (first[0] & 0x0F) == 8 && ((first[0] << 8) | first[1]) % 31 == 0;
        return codec switch
        {
            Codec.Gzip => new GZipStream(input, CompressionMode.Decompress),
            Codec.SnappyFramed => new Snappier.SnappyStream(input, CompressionMode.Decompress),
            _ when zlib => new ZLibStream(input, CompressionMode.Decompress),
            _ => new DeflateStream(input, CompressionMode.Decompress),
        };
    }

    /// <summary>Reads until <paramref name="destination"/> is full or the stream ends; returns the bytes read.</summary>
    private static int Fill(Stream inflater, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = inflater.Read(destination[total..]);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
