using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Orleans.Loki.Canary;

/// <summary>
/// Pushes <c>--count</c> decompression bombs of each kind (inflating to <c>--inflated</c> bytes) at a running
/// server and prints its resident memory (from <c>/proc/&lt;pid&gt;/status</c>) before, after each kind and after a
/// minute idle, with the status codes the bombs got.
/// </summary>
internal static class BombRun
{
    public static async Task<int> RunAsync(CanaryOptions options)
    {
        if (options.Pid is not { } pid)
        {
            throw new ArgumentException("bombs needs --pid <server pid>");
        }
        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromMinutes(2) };
        var kinds = new (string Name, string Path, string ContentType, string? Encoding, byte[] Body)[]
        {
            ("gzip JSON", "/loki/api/v1/push", "application/json", "gzip", Zeros("gzip", options.Inflated)),
            ("deflate JSON", "/loki/api/v1/push", "application/json", "deflate", Zeros("deflate", options.Inflated)),
            ("OTLP gzip", "/otlp/v1/logs", "application/x-protobuf", "gzip", Zeros("gzip", options.Inflated)),
            ("OTLP snappy framed", "/otlp/v1/logs", "application/x-protobuf", "snappy", Zeros("snappy", options.Inflated)),
            ("snappy block (protobuf push)", "/loki/api/v1/push", "application/x-protobuf", null, SnappyBlock(options.Inflated)),
        };
        Console.WriteLine($"server pid {pid}: RSS before {Rss(pid)} MiB; {options.Count} bombs of each kind inflating to {options.Inflated >> 20} MiB");
        Console.WriteLine();
        Console.WriteLine("| kind | body | statuses | RSS after (MiB) | seconds |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, path, contentType, encoding, body) in kinds)
        {
            var statuses = new SortedDictionary<int, int>();
            var started = DateTime.UtcNow;
            for (var i = 0; i < options.Count; i++)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                if (encoding is not null)
                {
                    content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
                }
                try
                {
                    using var response = await http.PostAsync(path, content);
                    statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                }
                catch (HttpRequestException)
                {
                    statuses[0] = statuses.GetValueOrDefault(0) + 1;
                }
            }
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {body.Length / 1024.0 / 1024.0:F1} MiB | {string.Join(", ", statuses.Select(s => $"{s.Value}x {s.Key}"))} | {Rss(pid)} | {seconds:F0} |"));
        }
        await Task.Delay(TimeSpan.FromMinutes(1));
        Console.WriteLine();
        Console.WriteLine($"RSS after a minute idle: {Rss(pid)} MiB");
        return 0;
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }
        return -1;
    }

    private static byte[] Zeros(string encoding, long count)
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

    /// <summary>A raw snappy block of a protobuf push whose one line is <paramref name="count"/> bytes of 'a'.</summary>
    private static byte[] SnappyBlock(long count)
    {
        var line = new byte[Math.Min(count, Array.MaxLength - 1024)];
        line.AsSpan().Fill((byte)'a');
        using var message = new MemoryStream();
        // PushRequest.streams[0] { labels = "{app=\"bomb\"}", entries[0] { line = ... } }
        var labels = Encoding.UTF8.GetBytes("{app=\"bomb\"}");
        var entry = new MemoryStream();
        entry.WriteByte(0x12);
        Varint(entry, (ulong)line.Length);
        entry.Write(line);
        var stream = new MemoryStream();
        stream.WriteByte(0x0a);
        Varint(stream, (ulong)labels.Length);
        stream.Write(labels);
        stream.WriteByte(0x12);
        Varint(stream, (ulong)entry.Length);
        entry.WriteTo(stream);
        message.WriteByte(0x0a);
        Varint(message, (ulong)stream.Length);
        stream.WriteTo(message);
        return Snappier.Snappy.CompressToArray(message.ToArray());
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
