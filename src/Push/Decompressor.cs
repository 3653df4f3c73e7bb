using System.Buffers;
using System.IO.Compression;

namespace Orleans.Loki.Push;

/// <summary>Inflates gzip / deflate bodies into a pooled buffer without ever holding more than the cap.</summary>
internal static class Decompressor
{
    public enum Outcome
    {
        Ok,
        TooLarge,
        Corrupt,
    }

    /// <summary>
    /// Inflates <paramref name="body"/>. The result is rented from the shared pool; return it with
    /// <see cref="ArrayPool{T}.Return"/> when done. At most <paramref name="max"/> + 1 bytes are ever produced
    /// (max &lt;= 0 means no limit), so a compression bomb costs at most the cap in memory.
    /// </summary>
    public static unsafe Outcome Inflate(ReadOnlySpan<byte> body, bool gzip, long max, out byte[] buffer, out int length, out string error)
    {
        buffer = [];
        length = 0;
        error = string.Empty;
        if (gzip && (body.Length < 2 || body[0] != 0x1f || body[1] != 0x8b))
        {
            error = "gzip: invalid header";
            return Outcome.Corrupt;
        }

        // Go's "deflate" reader expects raw DEFLATE (RFC 1951) while many HTTP clients send zlib
        // (RFC 1950, what the HTTP spec calls deflate): tell them apart by the zlib header check bits.
        var zlib = !gzip && body.Length >= 2 && (body[0] & 0x0F) == 8 && ((body[0] << 8) | body[1]) % 31 == 0;
        var limit = max > 0 ? Math.Min(max, Array.MaxLength - 1L) : Array.MaxLength - 1L;
        fixed (byte* pointer = body)
        {
            using var input = new UnmanagedMemoryStream(pointer, body.Length);
            using Stream inflater = gzip
                ? new GZipStream(input, CompressionMode.Decompress)
                : zlib ? new ZLibStream(input, CompressionMode.Decompress) : new DeflateStream(input, CompressionMode.Decompress);
            var rented = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(body.Length * 4L, 4096L), limit + 1));
            try
            {
                var total = 0;
                while (true)
                {
                    if (total == rented.Length)
                    {
                        if (total > limit)
                        {
                            break;
                        }

                        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(rented.Length * 2L, limit + 1));
                        rented.AsSpan(0, total).CopyTo(next);
                        ArrayPool<byte>.Shared.Return(rented);
                        rented = next;
                    }

                    var read = inflater.Read(rented, total, (int)Math.Min(rented.Length - total, limit + 1 - total));
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    if (total > limit)
                    {
                        break;
                    }
                }

                if (total > limit)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                    error = LokiErrors.DecompressedTooLarge(total, max);
                    return Outcome.TooLarge;
                }

                buffer = rented;
                length = total;
                return Outcome.Ok;
            }
            catch (InvalidDataException)
            {
                ArrayPool<byte>.Shared.Return(rented);
                error = gzip ? "gzip: invalid compressed data" : "flate: corrupt input";
                return Outcome.Corrupt;
            }
        }
    }
}
