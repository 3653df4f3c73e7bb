using System.Globalization;
using System.Text.Json;
using Orleans.Loki.Gateway.Query;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>
/// Writes a tail message in Loki's v1 shape:
/// <c>{"streams":[{"stream":{labels},"values":[["ns","line"]]}],"dropped_entries":[{"timestamp":"ns","labels":{..}}]}</c>.
/// <c>dropped_entries</c> appears only when something was dropped, as in Loki.
/// </summary>
internal static class TailFrameWriter
{
    /// <summary>The message; <paramref name="legacy"/>: Loki's legacy <c>/api/prom/tail</c> shape
    /// (<c>{"streams":[{"labels":"{..}","entries":[{"ts","line"}]}],"dropped_entries":[{"Timestamp","Labels"}]}</c>).</summary>
    public static byte[] Write(TailFrame frame, bool legacy = false)
    {
        if (legacy)
        {
            return WriteLegacy(frame);
        }
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("streams");
            w.WriteStartArray();
            var i = 0;
            while (i < frame.Lines.Count)
            {
                // Consecutive entries of one label set share a stream object; the global timestamp order is kept.
                var first = frame.Lines[i];
                w.WriteStartObject();
                LokiJson.WriteLabels(w, "stream", first.Labels);
                w.WritePropertyName("values");
                w.WriteStartArray();
                for (; i < frame.Lines.Count && frame.Lines[i].LabelsKey == first.LabelsKey; i++)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(frame.Lines[i].TimestampNs.ToString(CultureInfo.InvariantCulture));
                    w.WriteStringValue(frame.Lines[i].Line);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (frame.Dropped.Count > 0)
            {
                w.WritePropertyName("dropped_entries");
                w.WriteStartArray();
                foreach (var dropped in frame.Dropped)
                {
                    w.WriteStartObject();
                    w.WriteString("timestamp", dropped.TimestampNs.ToString(CultureInfo.InvariantCulture));
                    LokiJson.WriteLabels(w, "labels", dropped.Labels);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static byte[] WriteLegacy(TailFrame frame)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("streams");
            w.WriteStartArray();
            var i = 0;
            while (i < frame.Lines.Count)
            {
                var first = frame.Lines[i];
                w.WriteStartObject();
                w.WriteString("labels", Orleans.Loki.Push.LabelSet.Format(first.Labels));
                w.WritePropertyName("entries");
                w.WriteStartArray();
                for (; i < frame.Lines.Count && frame.Lines[i].LabelsKey == first.LabelsKey; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("ts", LokiJson.FormatRfc3339Nano(frame.Lines[i].TimestampNs));
                    w.WriteString("line", frame.Lines[i].Line);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (frame.Dropped.Count > 0)
            {
                // Loki's legacy DroppedEntry has no JSON tags: Go's field names.
                w.WritePropertyName("dropped_entries");
                w.WriteStartArray();
                foreach (var dropped in frame.Dropped)
                {
                    w.WriteStartObject();
                    w.WriteString("Timestamp", LokiJson.FormatRfc3339Nano(dropped.TimestampNs));
                    w.WriteString("Labels", Orleans.Loki.Push.LabelSet.Format(dropped.Labels));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
