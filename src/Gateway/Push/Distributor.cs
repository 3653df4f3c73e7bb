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

    /// <summary>Pushes every valid stream; returns per-entry rejections from the ingesters (e.g. too_far_behind).</summary>
    public async Task<DistributorResult> PushAsync(string tenant, ValidatedPush push, CancellationToken ct)
    {
        var streams = push.Streams;
        var tasks = new Task<PushAck>[streams.Count];
        for (var i = 0; i < streams.Count; i++)
        {
            var stream = streams[i];
            var batch = Encode(stream.Entries);
            var grain = StreamGrain(tenant, stream.Fingerprint);
            tasks[i] = grain.PushAsync(new StreamPush(stream.Labels, batch, stream.Entries.Count));
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
