using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orleans.Loki.Bench.Generation;

/// <summary>Encodes corpus entries as Loki push bodies: JSON, or protobuf (logproto.PushRequest) + snappy block.</summary>
public static class PushBodyBuilder
{
    /// <summary>Content-Type of Loki JSON pushes.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>Content-Type of Loki protobuf pushes (the body is a snappy block, with no Content-Encoding).</summary>
    public const string ProtobufContentType = "application/x-protobuf";

    // Clients send quotes as \" rather than \u0022; keep bodies as small as a real client's.
    private static readonly JsonWriterOptions s_jsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Cuts the corpus, in time order, into bodies whose raw line bytes are drawn log-uniformly from
    /// <c>[minBytes, maxBytes]</c>; every body groups its lines by stream, as batching clients do.
    /// </summary>
    public static List<PushBody> Split(Corpus corpus, int seed, int minBytes, int maxBytes, bool protobuf)
    {
        var random = new Random(seed);
        var bodies = new List<PushBody>();
        var start = 0;
        while (start < corpus.Entries.Length)
        {
            var target = (long)Math.Exp(Math.Log(minBytes) + random.NextDouble() * (Math.Log(maxBytes) - Math.Log(minBytes)));
            var end = start;
            long bytes = 0;
            while (end < corpus.Entries.Length && (bytes < target || end == start))
            {
                bytes += corpus.Entries[end].Length;
                end++;
            }

            var slice = new ArraySegment<CorpusEntry>(corpus.Entries, start, end - start);
            bodies.Add(protobuf ? Protobuf(corpus, slice) : Json(corpus, slice));
            start = end;
        }

        return bodies;
    }

    /// <summary>Encodes <paramref name="entries"/> as a Loki JSON push body.</summary>
    public static PushBody Json(Corpus corpus, IReadOnlyList<CorpusEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(entries.Count * 300 + 256);
        using (var writer = new Utf8JsonWriter(buffer, s_jsonOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("streams"u8);
            foreach (var group in GroupByStream(entries))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("stream"u8);
                foreach (var label in corpus.Streams[group.Key].Labels)
                {
                    writer.WriteString(label.Key, label.Value);
                }

                writer.WriteEndObject();
                writer.WriteStartArray("values"u8);
                foreach (var entry in group.Value)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(entry.TimestampNs.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    writer.WriteStringValue(corpus.Line(entry).Span);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new PushBody(buffer.WrittenSpan.ToArray(), JsonContentType, entries.Count, entries.Sum(e => (long)e.Length));
    }

    /// <summary>Encodes <paramref name="entries"/> as a snappy-compressed logproto <c>PushRequest</c>.</summary>
    public static PushBody Protobuf(Corpus corpus, IReadOnlyList<CorpusEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(entries.Count * 260 + 256);
        foreach (var group in GroupByStream(entries))
        {
            var labels = System.Text.Encoding.UTF8.GetBytes(corpus.Streams[group.Key].LabelString);
            long streamSize = FieldSize(1, labels.Length);
            foreach (var entry in group.Value)
            {
                streamSize += FieldSize(2, EntrySize(entry));
            }

            // PushRequest.streams = 1; StreamAdapter { labels = 1; entries = 2 }
            WriteTag(buffer, 1, 2);
            WriteVarint(buffer, (ulong)streamSize);
            WriteBytes(buffer, 1, labels);
            foreach (var entry in group.Value)
            {
                // EntryAdapter { google.protobuf.Timestamp timestamp = 1; string line = 2 }
                WriteTag(buffer, 2, 2);
                WriteVarint(buffer, (ulong)EntrySize(entry));
                Timestamp(entry.TimestampNs, out var seconds, out var nanos);
                WriteTag(buffer, 1, 2);
                WriteVarint(buffer, (ulong)TimestampSize(seconds, nanos));
                WriteVarintField(buffer, 1, (ulong)seconds);
                WriteVarintField(buffer, 2, (ulong)nanos);
                WriteBytes(buffer, 2, corpus.Line(entry).Span);
            }
        }

        var compressed = Snappier.Snappy.CompressToArray(buffer.WrittenSpan);
        return new PushBody(compressed, ProtobufContentType, entries.Count, entries.Sum(e => (long)e.Length));
    }

    private static Dictionary<int, List<CorpusEntry>> GroupByStream(IReadOnlyList<CorpusEntry> entries)
    {
        var groups = new Dictionary<int, List<CorpusEntry>>();
        foreach (var entry in entries)
        {
            if (!groups.TryGetValue(entry.Stream, out var list))
            {
                list = [];
                groups.Add(entry.Stream, list);
            }

            list.Add(entry);
        }

        return groups;
    }

    private static void Timestamp(long ns, out long seconds, out int nanos)
    {
        seconds = Math.DivRem(ns, 1_000_000_000L, out var rem);
        nanos = (int)rem;
    }

    private static int EntrySize(in CorpusEntry entry)
    {
        Timestamp(entry.TimestampNs, out var seconds, out var nanos);
        return FieldSize(1, TimestampSize(seconds, nanos)) + FieldSize(2, entry.Length);
    }

    // Zero values are omitted, as proto3 encoders do.
    private static int TimestampSize(long seconds, int nanos) =>
        (seconds == 0 ? 0 : 1 + VarintSize((ulong)seconds)) + (nanos == 0 ? 0 : 1 + VarintSize((ulong)nanos));

    private static int FieldSize(int field, int length) => VarintSize((ulong)(field << 3)) + VarintSize((ulong)length) + length;

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static void WriteTag(IBufferWriter<byte> buffer, int field, int wireType) => WriteVarint(buffer, (ulong)((field << 3) | wireType));

    private static void WriteVarintField(IBufferWriter<byte> buffer, int field, ulong value)
    {
        if (value != 0)
        {
            WriteTag(buffer, field, 0);
            WriteVarint(buffer, value);
        }
    }

    private static void WriteBytes(IBufferWriter<byte> buffer, int field, ReadOnlySpan<byte> bytes)
    {
        WriteTag(buffer, field, 2);
        WriteVarint(buffer, (ulong)bytes.Length);
        buffer.Write(bytes);
    }

    /// <summary>Writes a protobuf base-128 varint.</summary>
    internal static void WriteVarint(IBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        buffer.Advance(i);
    }
}
