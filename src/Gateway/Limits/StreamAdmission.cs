using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Limits;
using Orleans.Loki.Model;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway.Limits;

/// <summary>
/// <c>max_global_streams_per_user</c> before the fan-out: streams this gateway has not seen admitted are checked with
/// the tenant's stream count in one call per push, so a request with 100k new streams costs one grain call rather
/// than 100k grain activations that would each be refused. The stream grain checks again when it activates (a stream
/// remembered here may have left the count since), so this cache only ever saves work, never widens the limit.
/// </summary>
public sealed class StreamAdmission(IGrainFactory grains, ITenantLimits limits)
{
    /// <summary>Loki returns at most this many per-stream errors; the rest are summarised.</summary>
    private const int MaxListedErrors = 10;

    /// <summary>Admissions remembered per tenant when the tenant has no stream limit.</summary>
    private const int MaxRememberedWithoutLimit = 200_000;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<ulong, byte>> _admitted = new(StringComparer.Ordinal);

    /// <summary>
    /// Removes the streams over the limit from <paramref name="push"/>; returns what was refused. The streams this call
    /// joined to the tenant's count (one call for all the push's streams this gateway has not seen admitted, with or
    /// without a limit) are added to <paramref name="joined"/>, so their grains need not join one by one.
    /// </summary>
    public async Task<StreamAdmissionResult?> AdmitAsync(string tenant, ValidatedPush push, ISet<ulong>? joined = null)
    {
        var limit = limits.Ingestion(tenant).MaxGlobalStreamsPerUser;
        if (limit <= 0 && joined is null)
        {
            return null;
        }
        var known = _admitted.GetOrAdd(tenant, static _ => new ConcurrentDictionary<ulong, byte>());
        var streams = push.Streams;
        List<int>? unknown = null;
        for (var i = 0; i < streams.Count; i++)
        {
            if (!known.ContainsKey(streams[i].Fingerprint))
            {
                (unknown ??= []).Add(i);
            }
        }
        if (unknown is null)
        {
            return null;
        }

        var ids = new string[unknown.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = StorageKeys.StreamId(streams[unknown[i]].Fingerprint);
        }
        var admitted = await GrainRefs.Get<ITenantStreamsGrain>(grains, tenant).AdmitAsync(ids, Math.Max(limit, 0)).ConfigureAwait(false);
        if (known.Count > (limit > 0 ? 2 * limit : MaxRememberedWithoutLimit))
        {
            // Streams leave the count when idle; forget old admissions rather than grow without bound.
            known.Clear();
        }

        StreamAdmissionResult? result = null;
        var refused = new HashSet<int>();
        for (var i = 0; i < admitted.Length; i++)
        {
            var stream = streams[unknown[i]];
            if (admitted[i])
            {
                known.TryAdd(stream.Fingerprint, 0);
                joined?.Add(stream.Fingerprint);
                continue;
            }
            result ??= new StreamAdmissionResult();
            refused.Add(unknown[i]);
            result.Streams++;
            result.Lines += stream.Entries.Count;
            foreach (var entry in stream.Entries)
            {
                result.Bytes += entry.Line.Length + entry.MetadataSize;
            }
            if (result.Errors.Count < MaxListedErrors)
            {
                result.Errors.Add(string.Format(CultureInfo.InvariantCulture, LokiErrors.StreamLimitErrorMsg, stream.Labels, tenant));
            }
        }
        if (result is null)
        {
            return null;
        }
        if (result.Streams > MaxListedErrors)
        {
            result.Errors.Add($"and {result.Streams - MaxListedErrors} more streams refused for the same reason");
        }
        var index = 0;
        push.Streams.RemoveAll(_ => refused.Contains(index++));
        return result;
    }
}

/// <summary>Streams refused by <c>max_global_streams_per_user</c>.</summary>
public sealed class StreamAdmissionResult
{
    public int Streams { get; set; }
    public long Lines { get; set; }
    public long Bytes { get; set; }
    public List<string> Errors { get; } = [];
}
