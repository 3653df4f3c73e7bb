using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>
/// Applies Loki's push validation and normalisation (pkg/loghttp/push and pkg/distributor): label
/// syntax and limits, empty-label removal, <c>service_name</c> discovery, line length (reject or
/// truncate), sample age, structured metadata limits, <c>detected_level</c>. A partly invalid push keeps
/// its valid entries; streams with the same label set are merged.
/// </summary>
public sealed class PushValidator
{
    /// <summary>The label Loki adds to every stream that has none.</summary>
    public const string ServiceNameLabel = "service_name";

    /// <summary>The value of <see cref="ServiceNameLabel"/> when no discovery label is present.</summary>
    public const string UnknownService = "unknown_service";

    // Streams Loki writes for itself (aggregated metrics, patterns) are exempt from service_name discovery and label limits.
    private const string AggregatedMetricLabel = "__aggregated_metric__";
    private const string PatternLabel = "__pattern__";

    /// <summary>Bound of <see cref="_validLabels"/>; when it is reached the cache starts over.</summary>
    private const int MaxCachedLabelSets = 100_000;

    private readonly TimeProvider _time;

    /// <summary>
    /// Label sets that passed validation, by the limits they were checked against (by reference: a tenant's limits
    /// object only changes when the runtime configuration is reloaded) and the label string as sent. Clients push the
    /// same streams in every request, so each is parsed, normalised and checked once rather than per request, which
    /// is what Loki's distributor does with its label cache too. Rejected label sets are not cached (their error
    /// texts are built per request).
    /// </summary>
    private readonly ConcurrentDictionary<(ValidationLimits Limits, string Labels), ValidLabels> _validLabels = new(new LimitsAndLabelsComparer());

    /// <summary>About the size of <see cref="_validLabels"/>: its <c>Count</c> takes every lock of the dictionary, once per new stream.</summary>
    private int _cachedLabelSets;

    public PushValidator(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Validates and normalises decoded streams against <paramref name="limits"/> at the current time.</summary>
    /// <param name="tenant">The tenant the push belongs to; limits are resolved by the caller and passed in.</param>
    /// <param name="streams">Decoded streams, in request order.</param>
    /// <param name="limits">The tenant's limits.</param>
    public ValidatedPush Validate(string tenant, IReadOnlyList<PushStream> streams, ValidationLimits limits)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(limits);
        var now = _time.GetUtcNow();
        var context = new Context(
            limits,
            RejectBefore: limits.RejectOldSamples ? ToUnixNanos(now - limits.RejectOldSamplesMaxAge) : long.MinValue,
            RejectAfter: ToUnixNanos(now + limits.CreationGracePeriod),
            Levels: limits.DiscoverLogLevels ? new LevelDetector(limits.LogLevelFields, limits.LogLevelFromJsonMaxDepth) : null);
        var result = new ValidatedPush();
        var byLabels = new Dictionary<string, ValidStream>(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            if (stream.Entries.Count == 0)
            {
                continue;
            }

            var target = StreamFor(stream, context, result, byLabels);
            if (target is null)
            {
                continue;
            }

            target.Entries.EnsureCapacity(target.Entries.Count + stream.Entries.Count);
            foreach (var entry in stream.Entries)
            {
                if (ValidateEntry(entry, target, context, result) is { } accepted)
                {
                    target.Entries.Add(accepted);
                    result.AcceptedLines++;
                    result.AcceptedBytes += accepted.Line.Length + entry.MetadataSize;
                }
            }
        }

        result.Streams.RemoveAll(s => s.Entries.Count == 0);
        return result;
    }

    private sealed record Context(ValidationLimits Limits, long RejectBefore, long RejectAfter, LevelDetector? Levels)
    {
        private readonly Dictionary<string, KeyValuePair<string, string>[]> _levelOnly = new(StringComparer.Ordinal);

        /// <summary>
        /// The metadata of an entry whose only pair is its detected level. Shared by every such entry of the push:
        /// a push has a handful of levels but thousands of entries, and nothing downstream modifies metadata arrays.
        /// </summary>
        public KeyValuePair<string, string>[] LevelOnly(string level)
        {
            if (!_levelOnly.TryGetValue(level, out var pairs))
            {
                _levelOnly[level] = pairs = [new(LevelDetector.DetectedLevel, level)];
            }
            return pairs;
        }
    }

    /// <summary>Returns the stream to add entries to, or null when the whole stream is rejected.</summary>
    private ValidStream? StreamFor(PushStream stream, Context context, ValidatedPush result, Dictionary<string, ValidStream> byLabels)
    {
        var key = (context.Limits, stream.Labels);
        if (!_validLabels.TryGetValue(key, out var valid))
        {
            if (ValidateLabels(stream, context, result) is not { } validated)
            {
                return null;
            }
            if (Volatile.Read(ref _cachedLabelSets) >= MaxCachedLabelSets)
            {
                _validLabels.Clear();
                Volatile.Write(ref _cachedLabelSets, 0);
            }
            if (_validLabels.TryAdd(key, validated))
            {
                Interlocked.Increment(ref _cachedLabelSets);
            }
            valid = validated;
        }

        if (!byLabels.TryGetValue(valid.Labels, out var target))
        {
            target = new ValidStream(valid.Labels, valid.Pairs, valid.Fingerprint);
            byLabels.Add(valid.Labels, target);
            result.Streams.Add(target);
        }

        return target;
    }

    /// <summary>Parses, normalises and checks a stream's labels; null (with the rejection recorded) when they are invalid.</summary>
    private static ValidLabels? ValidateLabels(PushStream stream, Context context, ValidatedPush result)
    {
        var limits = context.Limits;
        // Decoded pairs equal what parsing their formatted string gives back, unless the string would not parse
        // or parsing would change a value; then the string is parsed for Loki's exact error (or replacement).
        var parsed = stream.Pairs;
        string? parseError = null;
        if ((parsed is null || !LabelSet.RoundTrips(parsed)) && !LabelSet.TryParse(stream.Labels, out parsed, out parseError))
        {
            RejectStream(result, stream, LokiErrors.InvalidLabels, string.Format(CultureInfo.InvariantCulture, LokiErrors.InvalidLabelsErrorMsg, stream.Labels, parseError));
            return null;
        }

        // Empty values are the same as absent labels; Loki drops them before anything else.
        var pairs = Array.FindAll(parsed, p => p.Value.Length > 0);
        LabelSet.SortByName(pairs);
        var internalStream = Has(pairs, AggregatedMetricLabel) || Has(pairs, PatternLabel);
        if (!internalStream && limits.DiscoverServiceName.Count > 0 && !Has(pairs, ServiceNameLabel))
        {
            var serviceName = UnknownService;
            foreach (var candidate in limits.DiscoverServiceName)
            {
                if (Get(pairs, candidate) is { Length: > 0 } value)
                {
                    serviceName = value;
                    break;
                }
            }

            pairs = [.. pairs, new KeyValuePair<string, string>(ServiceNameLabel, serviceName)];
            LabelSet.SortByName(pairs);
        }

        var labels = LabelSet.Format(pairs);
        if (pairs.Length == 0)
        {
            RejectStream(result, stream, LokiErrors.MissingLabels, LokiErrors.MissingLabelsErrorMsg);
            return null;
        }

        if (!internalStream && LabelError(pairs, labels, limits) is { } failure)
        {
            RejectStream(result, stream, failure.Reason, failure.Message);
            return null;
        }

        return new ValidLabels(labels, pairs, LabelSet.Fingerprint(labels));
    }

    /// <summary>A label set that passed validation: canonical string, pairs sorted by name (never modified) and fingerprint.</summary>
    private sealed record ValidLabels(string Labels, KeyValuePair<string, string>[] Pairs, ulong Fingerprint);

    private sealed class LimitsAndLabelsComparer : IEqualityComparer<(ValidationLimits Limits, string Labels)>
    {
        public bool Equals((ValidationLimits Limits, string Labels) x, (ValidationLimits Limits, string Labels) y) =>
            ReferenceEquals(x.Limits, y.Limits) && string.Equals(x.Labels, y.Labels, StringComparison.Ordinal);

        public int GetHashCode((ValidationLimits Limits, string Labels) key) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(key.Limits), string.GetHashCode(key.Labels, StringComparison.Ordinal));
    }

    private static (string Reason, string Message)? LabelError(KeyValuePair<string, string>[] pairs, string labels, ValidationLimits limits)
    {
        // service_name is usually added by the push path itself, so it does not count against the limit.
        var count = Has(pairs, ServiceNameLabel) ? pairs.Length - 1 : pairs.Length;
        if (count > limits.MaxLabelNamesPerSeries)
        {
            return (LokiErrors.MaxLabelNamesPerSeries, Format(LokiErrors.MaxLabelNamesPerSeriesErrorMsg, labels, count, limits.MaxLabelNamesPerSeries));
        }

        string? previous = null;
        foreach (var pair in pairs)
        {
            if (Utf8Length(pair.Key) > limits.MaxLabelNameLength)
            {
                return (LokiErrors.LabelNameTooLong, Format(LokiErrors.LabelNameTooLongErrorMsg, labels, pair.Key));
            }

            if (Utf8Length(pair.Value) > limits.MaxLabelValueLength)
            {
                return (LokiErrors.LabelValueTooLong, Format(LokiErrors.LabelValueTooLongErrorMsg, labels, pair.Value));
            }

            if (previous == pair.Key)
            {
                return (LokiErrors.DuplicateLabelNames, Format(LokiErrors.DuplicateLabelNamesErrorMsg, labels, pair.Key));
            }

            previous = pair.Key;
        }

        return null;
    }

    private static PushEntry? ValidateEntry(PushEntry entry, ValidStream stream, Context context, ValidatedPush result)
    {
        var limits = context.Limits;

        // Loki truncates before validating, so a truncated line is accepted and counted at its new length.
        var line = entry.Line;
        if (limits.MaxLineSizeTruncate && limits.MaxLineSize > 0 && line.Length > limits.MaxLineSize)
        {
            line = line[..limits.MaxLineSize];
        }

        var metadataSize = entry.MetadataSize;
        var metadataCount = entry.Metadata?.Length ?? 0;
        long size = line.Length + metadataSize;
        if (entry.TimestampNs < context.RejectBefore)
        {
            result.Reject(LokiErrors.GreaterThanMaxSampleAge, Format(LokiErrors.GreaterThanMaxSampleAgeErrorMsg, stream.Labels, GoTime.Rfc3339(entry.TimestampNs), GoTime.Rfc3339(context.RejectBefore)), 1, size);
            return null;
        }

        if (entry.TimestampNs > context.RejectAfter)
        {
            result.Reject(LokiErrors.TooFarInFuture, Format(LokiErrors.TooFarInFutureErrorMsg, stream.Labels, GoTime.Rfc3339(entry.TimestampNs)), 1, size);
            return null;
        }

        if (limits.MaxLineSize != 0 && line.Length > limits.MaxLineSize)
        {
            result.Reject(LokiErrors.LineTooLong, Format(LokiErrors.LineTooLongErrorMsg, limits.MaxLineSize, stream.Labels, line.Length), 1, size);
            return null;
        }

        if (metadataCount > 0)
        {
            if (limits.MaxStructuredMetadataSize != 0 && metadataSize > limits.MaxStructuredMetadataSize)
            {
                result.Reject(LokiErrors.StructuredMetadataTooLarge, Format(LokiErrors.StructuredMetadataTooLargeErrorMsg, stream.Labels, metadataSize, limits.MaxStructuredMetadataSize), 1, size);
                return null;
            }

            if (limits.MaxStructuredMetadataEntriesCount != 0 && metadataCount > limits.MaxStructuredMetadataEntriesCount)
            {
                result.Reject(LokiErrors.StructuredMetadataTooMany, Format(LokiErrors.StructuredMetadataTooManyErrorMsg, stream.Labels, metadataCount, limits.MaxStructuredMetadataEntriesCount), 1, size);
                return null;
            }
        }

        var metadata = StructuredMetadata.Sanitize(entry.Metadata);
        if (context.Levels is { } levels && !StructuredMetadata.Contains(metadata, LevelDetector.DetectedLevel)
            && levels.Detect(stream.LabelPairs, metadata, line.Span) is { } level)
        {
            metadata = metadata is null ? context.LevelOnly(level) : [.. metadata, new(LevelDetector.DetectedLevel, level)];
        }

        return new PushEntry(entry.TimestampNs, line, metadata);
    }

    private static void RejectStream(ValidatedPush result, PushStream stream, string reason, string message)
    {
        long bytes = 0;
        foreach (var entry in stream.Entries)
        {
            bytes += entry.Line.Length + entry.MetadataSize;
        }

        result.Reject(reason, message, stream.Entries.Count, bytes);
    }

    private static bool Has(KeyValuePair<string, string>[] pairs, string name) => Get(pairs, name) is not null;

    private static string? Get(KeyValuePair<string, string>[] pairs, string name)
    {
        foreach (var pair in pairs)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }

    private static int Utf8Length(string text) => System.Text.Encoding.UTF8.GetByteCount(text);

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    private static long ToUnixNanos(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks > long.MaxValue / 100 ? long.MaxValue : ticks < long.MinValue / 100 ? long.MinValue : ticks * 100;
    }
}
