using System.Globalization;
using System.Text;
using Orleans.Loki.Model;
using Orleans.Loki.Push.Otlp;

namespace Orleans.Loki.Push;

/// <summary>
/// Maps OTLP logs to Loki streams the way Loki 3 does with its default configuration: resource
/// attributes on the default index-label list become stream labels (names normalised, dots become
/// underscores); every other resource attribute, the scope's attributes, name and version, the log
/// attributes, trace/span ids and severity become structured metadata; the body becomes the line.
/// <c>service_name</c> discovery is left to validation, which applies it to every push format alike.
/// </summary>
internal static class OtlpMapper
{
    /// <summary>Loki's <c>distributor.otlp.default_resource_attributes_as_index_labels</c>.</summary>
    public static readonly IReadOnlyList<string> DefaultIndexLabelAttributes =
    [
        "service.name",
        "service.namespace",
        "service.instance.id",
        "deployment.environment",
        "deployment.environment.name",
        "cloud.region",
        "cloud.availability_zone",
        "k8s.cluster.name",
        "k8s.namespace.name",
        "k8s.pod.name",
        "k8s.container.name",
        "container.name",
        "k8s.replicaset.name",
        "k8s.deployment.name",
        "k8s.statefulset.name",
        "k8s.daemonset.name",
        "k8s.cronjob.name",
        "k8s.job.name",
    ];

    private static readonly HashSet<string> IndexLabelSet = new(DefaultIndexLabelAttributes, StringComparer.Ordinal);

    public static PushDecodeResult Map(ExportLogsServiceRequest request, TimeProvider time)
    {
        var byLabels = new Dictionary<string, PushStream>(StringComparer.Ordinal);
        var streams = new List<PushStream>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var streamLabels = new Dictionary<string, string>(StringComparer.Ordinal);
            var resourceMetadata = new List<KeyValuePair<string, string>>();
            if (resourceLogs.Resource is { } resource)
            {
                foreach (var attribute in resource.Attributes)
                {
                    if (IndexLabelSet.Contains(attribute.Key))
                    {
                        // A later attribute with the same normalised name wins, as in Loki's label map.
                        var flattened = new List<KeyValuePair<string, string>>();
                        OtlpValue.Flatten(attribute.Key, attribute.Value, string.Empty, flattened);
                        foreach (var pair in flattened)
                        {
                            streamLabels[pair.Key] = pair.Value;
                        }
                    }
                    else
                    {
                        OtlpValue.Flatten(attribute.Key, attribute.Value, string.Empty, resourceMetadata);
                    }
                }
            }

            // Loki skips a resource whose labels are invalid; after normalisation only an empty key can be.
            if (streamLabels.ContainsKey(string.Empty))
            {
                continue;
            }

            var pairs = streamLabels.ToArray();
            var labels = LabelSet.Canonicalize(pairs);
            if (!byLabels.TryGetValue(labels, out var stream))
            {
                stream = new PushStream(labels, [], pairs);
                byLabels.Add(labels, stream);
                streams.Add(stream);
            }

            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scopeMetadata = ScopeMetadata(scopeLogs.Scope);
                foreach (var record in scopeLogs.LogRecords)
                {
                    if (!TryMapRecord(record, resourceMetadata, scopeMetadata, time, out var entry, out var error))
                    {
                        return PushDecodeResult.BadRequest(error);
                    }

                    stream.Entries.Add(entry);
                }
            }
        }

        streams.RemoveAll(s => s.Entries.Count == 0);
        return PushDecodeResult.Ok(streams);
    }

    private static List<KeyValuePair<string, string>> ScopeMetadata(InstrumentationScope? scope)
    {
        var metadata = new List<KeyValuePair<string, string>>();
        if (scope is null)
        {
            return metadata;
        }

        foreach (var attribute in scope.Attributes)
        {
            OtlpValue.Flatten(attribute.Key, attribute.Value, string.Empty, metadata);
        }

        if (scope.Name.Length > 0)
        {
            metadata.Add(new("scope_name", scope.Name));
        }

        if (scope.Version.Length > 0)
        {
            metadata.Add(new("scope_version", scope.Version));
        }

        if (scope.DroppedAttributesCount != 0)
        {
            metadata.Add(new("scope_dropped_attributes_count", scope.DroppedAttributesCount.ToString(CultureInfo.InvariantCulture)));
        }

        return metadata;
    }

    private static bool TryMapRecord(
        LogRecord record,
        List<KeyValuePair<string, string>> resourceMetadata,
        List<KeyValuePair<string, string>> scopeMetadata,
        TimeProvider time,
        out PushEntry entry,
        out string error)
    {
        entry = default;
        var raw = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        if (raw > long.MaxValue || record.ObservedTimeUnixNano > long.MaxValue)
        {
            error = $"invalid timestamp: {raw} nanoseconds is beyond the year 2262";
            return false;
        }

        var timestamp = raw != 0 ? (long)raw : ToUnixNanos(time.GetUtcNow());
        var metadata = new List<KeyValuePair<string, string>>(record.Attributes.Count + resourceMetadata.Count + scopeMetadata.Count + 6);
        foreach (var attribute in record.Attributes)
        {
            OtlpValue.Flatten(attribute.Key, attribute.Value, string.Empty, metadata);
        }

        // With no record time the observed time already is the timestamp, so it is not repeated.
        if (record.TimeUnixNano != 0 && record.ObservedTimeUnixNano != 0)
        {
            metadata.Add(new("observed_timestamp", record.ObservedTimeUnixNano.ToString(CultureInfo.InvariantCulture)));
        }

        if (record.SeverityNumber != 0)
        {
            metadata.Add(new("severity_number", record.SeverityNumber.ToString(CultureInfo.InvariantCulture)));
        }

        if (record.SeverityText.Length > 0)
        {
            metadata.Add(new("severity_text", record.SeverityText));
        }

        if (record.DroppedAttributesCount != 0)
        {
            metadata.Add(new("dropped_attributes_count", record.DroppedAttributesCount.ToString(CultureInfo.InvariantCulture)));
        }

        if (record.Flags != 0)
        {
            metadata.Add(new("flags", record.Flags.ToString(CultureInfo.InvariantCulture)));
        }

        if (!IsAllZero(record.TraceId.Span))
        {
            metadata.Add(new("trace_id", Convert.ToHexStringLower(record.TraceId.Span)));
        }

        if (!IsAllZero(record.SpanId.Span))
        {
            metadata.Add(new("span_id", Convert.ToHexStringLower(record.SpanId.Span)));
        }

        if (record.EventName.Length > 0)
        {
            metadata.Add(new("event_name", record.EventName));
        }

        metadata.AddRange(resourceMetadata);
        metadata.AddRange(scopeMetadata);
        var line = Encoding.UTF8.GetBytes(OtlpValue.AsString(record.Body));
        entry = new PushEntry(timestamp, line, metadata.Count == 0 ? null : [.. metadata]);
        error = string.Empty;
        return true;
    }

    private static long ToUnixNanos(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static bool IsAllZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);
}
