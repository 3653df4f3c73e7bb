using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Push;

namespace Orleans.Loki.Gateway.Push;

/// <summary>
/// Loki's distributor: takes a validated push, sends each stream's entries to its stream grain in parallel and
/// reports success only once every grain acknowledged a durable WAL write.
/// </summary>
public sealed class Distributor(IGrainFactory grains)
{
    /// <summary>Bound of <see cref="_streams"/>; when it is reached the cache starts over.</summary>
    private const int MaxCachedStreams = 200_000;

    /// <summary>
    /// Stream grain references by tenant and fingerprint. A push names the same streams again and again, and building a
    /// reference formats the key, encodes it and hashes it: one reference per stream per request was the largest
    /// source of strings on the push path.
    /// </summary>
    private readonly ConcurrentDictionary<(string Tenant, ulong Fingerprint), IStreamGrain> _streams = new();

    /// <summary>About the size of <see cref="_streams"/>: its <c>Count</c> takes every lock of the dictionary, once per new stream.</summary>
    private int _cachedStreams;

    /// <summary>Series this gateway registered in a day's index (tenant, day, fingerprint); bounded like <see cref="_streams"/>.</summary>
    private readonly ConcurrentDictionary<(string Tenant, int Day, ulong Fingerprint), byte> _registered = new();

    private int _registeredCount;

    private IStreamGrain StreamGrain(string tenant, ulong fingerprint)
    {
        if (_streams.TryGetValue((tenant, fingerprint), out var grain))
        {
            return grain;
        }
        if (Volatile.Read(ref _cachedStreams) >= MaxCachedStreams)
        {
            _streams.Clear();
            Volatile.Write(ref _cachedStreams, 0);
        }
        grain = GrainRefs.Get<IStreamGrain>(grains, StorageKeys.StreamGrainKey(tenant, fingerprint));
        if (_streams.TryAdd((tenant, fingerprint), grain))
        {
            Interlocked.Increment(ref _cachedStreams);
        }
        return grain;
    }

    /// <summary>
    /// Pushes every valid stream; returns per-entry rejections from the ingesters (e.g. too_far_behind).
    /// <paramref name="joined"/>: the streams the caller joined to the tenant's stream count for this push.
    /// </summary>
    public async Task<DistributorResult> PushAsync(string tenant, ValidatedPush push, CancellationToken ct, IReadOnlySet<ulong>? joined = null)
    {
        var streams = push.Streams;
        var indexed = await RegisterNewSeriesAsync(tenant, streams).WaitAsync(ct).ConfigureAwait(false);
        var tasks = new Task<PushAck>[streams.Count];
        for (var i = 0; i < streams.Count; i++)
        {
            var stream = streams[i];
            var batch = Encode(stream.Entries);
            var grain = StreamGrain(tenant, stream.Fingerprint);
            tasks[i] = grain.PushAsync(new StreamPush(stream.Labels, batch, stream.Entries.Count, joined?.Contains(stream.Fingerprint) == true, indexed?[i] == true));
        }

        await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);

        var result = new DistributorResult();
        for (var i = 0; i < tasks.Length; i++)
        {
            var ack = tasks[i].Result;
            result.Accepted += ack.Accepted;
            result.Duplicates += ack.Duplicates;
            if (ack.Rejected.Count == 0)
            {
                continue;
            }
            foreach (var rejected in ack.Rejected)
            {
                if (rejected.Message.Length > 0)
                {
                    result.Errors.Add(rejected.Message);
                }
                result.AddDiscard(rejected.Reason, rejected.Bytes);
            }
            result.Errors.Add($"user '{tenant}', total ignored: {ack.Rejected.Count} out of {streams[i].Entries.Count} for stream: {streams[i].Labels}");
        }
        return result;
    }

    /// <summary>
    /// Registers the series of the push's streams this gateway has not registered for the days of their entries: one
    /// index call per day for all of them (instead of one per new stream from its grain), awaited before the streams
    /// are pushed. Returns, per stream, whether every day of its entries is registered by this call (its grain then
    /// skips its own registration); null when nothing was new.
    /// </summary>
    private async Task<bool[]?> RegisterNewSeriesAsync(string tenant, List<ValidStream> streams)
    {
        Dictionary<int, (List<ulong> Fingerprints, List<string> Labels)>? byDay = null;
        bool[]? indexed = null;
        for (var i = 0; i < streams.Count; i++)
        {
            var stream = streams[i];
            var lastDay = int.MinValue;
            var allNew = true;
            List<int>? days = null;
            foreach (var entry in stream.Entries)
            {
                var day = StorageKeys.DayOf(entry.TimestampNs);
                if (day == lastDay)
                {
                    continue;
                }
                lastDay = day;
                if (days?.Contains(day) == true)
                {
                    continue;
                }
                if (_registered.ContainsKey((tenant, day, stream.Fingerprint)))
                {
                    // Known on a day: no need to look at the rest of its entries.
                    allNew = false;
                    break;
                }
                (days ??= []).Add(day);
            }
            if (!allNew || days is null)
            {
                // Known on some day: the grain registers what it has not (as it remembers its own registrations).
                continue;
            }
            foreach (var day in days)
            {
                byDay ??= [];
                if (!byDay.TryGetValue(day, out var list))
                {
                    list = ([], []);
                    byDay.Add(day, list);
                }
                list.Fingerprints.Add(stream.Fingerprint);
                list.Labels.Add(stream.Labels);
            }
            (indexed ??= new bool[streams.Count])[i] = true;
        }
        if (byDay is null)
        {
            return null;
        }

        var calls = new List<Task>(byDay.Count);
        foreach (var (day, list) in byDay)
        {
            calls.Add(GrainRefs.Get<IIndexGrain>(grains, $"{tenant}/{day}").RegisterSeriesManyAsync([.. list.Fingerprints], [.. list.Labels]));
        }
        await Task.WhenAll(calls).ConfigureAwait(false);

        if (Volatile.Read(ref _registeredCount) >= MaxCachedStreams)
        {
            _registered.Clear();
            Volatile.Write(ref _registeredCount, 0);
        }
        foreach (var (day, list) in byDay)
        {
            foreach (var fp in list.Fingerprints)
            {
                if (_registered.TryAdd((tenant, day, fp), 0))
                {
                    Interlocked.Increment(ref _registeredCount);
                }
            }
        }
        return indexed;
    }

    private static byte[] Encode(List<PushEntry> entries)
    {
        // The entries are only needed while they are encoded: a pooled array instead of one per stream and request.
        var converted = ArrayPool<LogEntry>.Shared.Rent(entries.Count);
        try
        {
            var span = CollectionsMarshal.AsSpan(entries);
            for (var i = 0; i < span.Length; i++)
            {
                ref readonly var e = ref span[i];
                converted[i] = new LogEntry(e.TimestampNs, e.Line, e.Metadata);
            }
            return EntryBatch.Encode(converted.AsSpan(0, span.Length));
        }
        finally
        {
            // Cleared so that the pool does not keep the request's lines (slices of its buffer) alive.
            ArrayPool<LogEntry>.Shared.Return(converted, clearArray: true);
        }
    }
}

/// <summary>What the ingesters said about a push.</summary>
public sealed class DistributorResult
{
    public int Accepted { get; set; }
    public int Duplicates { get; set; }
    public List<string> Errors { get; } = [];
    public Dictionary<string, (long Lines, long Bytes)> Discarded { get; } = [];

    public void AddDiscard(string reason, long bytes)
    {
        Discarded.TryGetValue(reason, out var current);
        Discarded[reason] = (current.Lines + 1, current.Bytes + bytes);
    }
}
