using System.IO.Compression;
using System.Text;

namespace Orleans.Loki.EndToEnd.Tests;

/// <summary>Push bodies in every format and encoding the server takes, and decompression bombs of each kind.</summary>
internal static class PushBodies
{
    public static byte[] Json(string labelsJson, IEnumerable<(long Ts, string Line)> entries) =>
        Encoding.UTF8.GetBytes($"{{\"streams\":[{{\"stream\":{labelsJson},\"values\":[{string.Join(",", entries.Select(e => $"[\"{e.Ts}\",{System.Text.Json.JsonSerializer.Serialize(e.Line)}]"))}]}}]}}");

    public static byte[] OtlpJson(string service, IEnumerable<(long Ts, string Line)> entries) =>
        Encoding.UTF8.GetBytes($"{{\"resourceLogs\":[{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"{service}\"}}}}]}},\"scopeLogs\":[{{\"logRecords\":[{string.Join(",", entries.Select(e => $"{{\"timeUnixNano\":\"{e.Ts}\",\"body\":{{\"stringValue\":{System.Text.Json.JsonSerializer.Serialize(e.Line)}}}}}"))}]}}]}}]}}");

    /// <summary>Loki's <c>PushRequest</c> protobuf (uncompressed; snappy it for the wire).</summary>
    public static byte[] Protobuf(string labels, IEnumerable<(long Ts, string Line)> entries)
    {
        var stream = new MemoryStream();
        Field(stream, 1, Encoding.UTF8.GetBytes(labels));
        foreach (var (ts, line) in entries)
        {
            var timestamp = new MemoryStream();
            Varint(timestamp, 1 << 3);
            Varint(timestamp, (ulong)(ts / 1_000_000_000));
            Varint(timestamp, 2 << 3);
            Varint(timestamp, (ulong)(ts % 1_000_000_000));
            var entry = new MemoryStream();
            Field(entry, 1, timestamp.ToArray());
            Field(entry, 2, Encoding.UTF8.GetBytes(line));
            Field(stream, 2, entry.ToArray());
        }
        var request = new MemoryStream();
        Field(request, 1, stream.ToArray());
        return request.ToArray();
    }

    public static byte[] Compress(string encoding, ReadOnlySpan<byte> data)
    {
        if (encoding == "snappy-block")
        {
            return Snappier.Snappy.CompressToArray(data);
        }
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "zlib" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "snappy-framed" => new Snappier.SnappyStream(output, CompressionMode.Compress, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        })
        {
            compressor.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A body of <paramref name="count"/> zero bytes compressed as <paramref name="encoding"/>.</summary>
    public static byte[] Bomb(string encoding, long count)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new Snappier.SnappyStream(output, CompressionMode.Compress, leaveOpen: true),
        })
        {
            var block = new byte[1 << 20];
            for (long written = 0; written < count; written += block.Length)
            {
                compressor.Write(block);
            }
        }
        return output.ToArray();
    }

    public static ByteArrayContent Content(byte[] body, string? contentType, string? contentEncoding)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        else
        {
            content.Headers.ContentType = null;
        }
        if (contentEncoding is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", contentEncoding);
        }
        return content;
    }

    private static void Field(Stream s, int number, byte[] value)
    {
        Varint(s, (ulong)((number << 3) | 2));
        Varint(s, (ulong)value.Length);
        s.Write(value);
    }

    private static void Varint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }
}
