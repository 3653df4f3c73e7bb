using System.IO.Compression;
using System.Text;

namespace Orleans.Loki.Push.Tests;

internal static class TestData
{
    public static string Line(PushEntry entry) => Encoding.UTF8.GetString(entry.Line.Span);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] RawDeflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    public static PushDecodeResult DecodeJson(string json, long max = 1 << 20) =>
        PushDecoder.Decode(Encoding.UTF8.GetBytes(json), "application/json", null, PushFormat.Json, max);
}
