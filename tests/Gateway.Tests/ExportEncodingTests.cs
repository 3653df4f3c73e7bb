using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orleans.Loki.Gateway.Export;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>
/// The ndjson rows of flushed entries are written byte by byte (labels and metadata encoded once per stream, the line
/// escaped straight into the output): they must be exactly what a JSON writer with the same escaping produces.
/// </summary>
public sealed class ExportEncodingTests
{
    public static TheoryData<byte[]> Lines() =>
    [
        Encoding.UTF8.GetBytes("plain line level=info"),
        Encoding.UTF8.GetBytes("msg=\"quoted\" path=C:\\temp\\x"),
        Encoding.UTF8.GetBytes("tab\there\nnewline \u0001 control \u007f del"),
        Encoding.UTF8.GetBytes("non-ASCII ü ß 日本 😀 </script> & '"),
        [(byte)'b', (byte)'a', (byte)'d', 0xFF, 0xC3, (byte)' ', (byte)'u', (byte)'t', (byte)'f'],
        Encoding.UTF8.GetBytes(new string('"', 5000) + new string('\u0002', 3000)),
        [],
    ];

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task An_ndjson_row_is_what_a_json_writer_writes(byte[] line)
    {
        var labels = new KeyValuePair<string, string>[] { new("app", "a\"b"), new("pod", "p0") };
        foreach (var (metadata, parsed) in new (string[]?, string[]?)[] { (null, null), (["trace_id", "t\"1", "detected_level", "info"], null), (["k", "v"], ["status", "500"]), (null, ["x", "ü"]) })
        {
            var pipe = new Pipe();
            var writer = new ExportService.EntryWriter(pipe.Writer, ExportFormat.Ndjson);
            var labelsJson = ExportService.LabelsJson.Encode(labels);
            writer.Prepare(1_700_000_000_123_456_789L, labelsJson, line, ExportService.EntryWriter.EncodeTail(metadata, parsed));
            writer.Commit();
            await writer.FlushAsync(CancellationToken.None);
            await pipe.Writer.CompleteAsync();
            var written = System.Buffers.BuffersExtensions.ToArray((await pipe.Reader.ReadAsync()).Buffer);

            Assert.Equal(Encoding.UTF8.GetString(Expected(labels, line, metadata, parsed)), Encoding.UTF8.GetString(written));
        }
    }

    [Fact]
    public async Task Rows_reach_the_pipe_on_flush_and_an_uncommitted_row_never_does()
    {
        var pipe = new Pipe();
        var writer = new ExportService.EntryWriter(pipe.Writer, ExportFormat.Text);
        var labels = ExportService.LabelsJson.Encode([new("app", "a")]);
        var tail = ExportService.EntryWriter.EncodeTail(null, null);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(7, writer.Prepare(i, labels, Encoding.UTF8.GetBytes($"line {i}"), tail));
            writer.Commit();
        }
        // Prepared but not committed (as when it would pass the export limit): dropped by the next prepare or flush.
        writer.Prepare(3, labels, "dropped"u8, tail);
        Assert.Equal(21, writer.Written);
        Assert.False(pipe.Reader.TryRead(out _));

        await writer.FlushAsync(CancellationToken.None);
        writer.Prepare(4, labels, "after"u8, tail);
        writer.Commit();
        await writer.FlushAsync(CancellationToken.None);
        await pipe.Writer.CompleteAsync();

        var written = await pipe.Reader.ReadAsync();
        Assert.Equal("line 0\nline 1\nline 2\nafter\n", Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(written.Buffer)));
        Assert.Equal(27, writer.Written);
    }

    private static byte[] Expected(KeyValuePair<string, string>[] labels, byte[] line, string[]? metadata, string[]? parsed)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", "1700000000123456789");
            w.WriteStartObject("labels");
            foreach (var (k, v) in labels)
            {
                w.WriteString(k, v);
            }
            w.WriteEndObject();
            w.WriteString("line", Encoding.UTF8.GetString(line));
            foreach (var (name, flat) in new[] { ("structuredMetadata", metadata), ("parsed", parsed) })
            {
                if (flat is { Length: > 0 })
                {
                    w.WriteStartObject(name);
                    for (var i = 0; i < flat.Length; i += 2)
                    {
                        w.WriteString(flat[i], flat[i + 1]);
                    }
                    w.WriteEndObject();
                }
            }
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }
}
