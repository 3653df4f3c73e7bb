using System.Globalization;
using System.Text.Json;
using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.Gateway.Query;

/// <summary>Loki's <c>categorize-labels</c> encoding of log results.</summary>
internal static partial class LokiJson
{
    /// <summary>The encoding flag of <c>X-Loki-Response-Encoding-Flags</c> that asks for categorized labels.</summary>
    public const string CategorizeLabelsFlag = "categorize-labels";

    /// <summary>The request header carrying encoding flags (comma-separated).</summary>
    public const string EncodingFlagsHeader = "X-Loki-Response-Encoding-Flags";

    /// <summary>Whether the request's encoding flags include <c>categorize-labels</c>.</summary>
    public static bool WantsCategorizedLabels(IEnumerable<string?> headerValues)
    {
        foreach (var value in headerValues)
        {
            foreach (var flag in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(flag, CategorizeLabelsFlag, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Streams keyed by their stream labels only: a result stream's labels are its stream labels plus the entry's
    /// structured metadata and parsed labels, so entries that differ only in those share one output stream, and each
    /// value carries them as a third element <c>{"structuredMetadata":{…},"parsed":{…}}</c> (empty parts left out,
    /// the object itself always written, as Loki).
    /// </summary>
    private static void WriteCategorizedStreams(Utf8JsonWriter w, List<ResultStream> streams, Direction direction)
    {
        var grouped = new Dictionary<string, (KeyValuePair<string, string>[] Labels, List<(LogEntry Entry, string FullLabels)> Entries)>(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            foreach (var entry in stream.Entries)
            {
                var labels = StreamLabelsOf(stream.Labels, entry);
                var key = Orleans.Loki.LogQL.Log.LabelsBuilder.Format(labels);
                if (!grouped.TryGetValue(key, out var group))
                {
                    group = (labels, []);
                    grouped.Add(key, group);
                }
                group.Entries.Add((entry, stream.LabelsString));
            }
        }
        w.WriteStartArray();
        foreach (var (_, (labels, entries)) in grouped.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            entries.Sort((a, b) => ResultMerge.CompareEntries(direction, a.Entry.TimestampNs, a.FullLabels, a.Entry.Line, b.Entry.TimestampNs, b.FullLabels, b.Entry.Line));
            w.WriteStartObject();
            WriteLabels(w, "stream", labels);
            w.WritePropertyName("values");
            w.WriteStartArray();
            foreach (var (entry, _) in entries)
            {
                w.WriteStartArray();
                w.WriteStringValue(entry.TimestampNs.ToString(CultureInfo.InvariantCulture));
                w.WriteStringValue(entry.Line);
                w.WriteStartObject();
                if (entry.StructuredMetadata.Length > 0)
                {
                    WriteLabels(w, "structuredMetadata", entry.StructuredMetadata);
                }
                if (entry.Parsed.Length > 0)
                {
                    WriteLabels(w, "parsed", entry.Parsed);
                }
                w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The labels of <paramref name="all"/> that are neither the entry's structured metadata nor parsed labels.</summary>
    private static KeyValuePair<string, string>[] StreamLabelsOf(KeyValuePair<string, string>[] all, LogEntry entry)
    {
        if (entry.StructuredMetadata.Length == 0 && entry.Parsed.Length == 0)
        {
            return all;
        }
        var result = new List<KeyValuePair<string, string>>(all.Length);
        foreach (var label in all)
        {
            if (!Contains(entry.StructuredMetadata, label.Key) && !Contains(entry.Parsed, label.Key))
            {
                result.Add(label);
            }
        }
        return [.. result];
    }

    private static bool Contains(KeyValuePair<string, string>[] labels, string name)
    {
        foreach (var label in labels)
        {
            if (string.Equals(label.Key, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
