using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

public sealed partial class SiloWal
{
    private readonly SemaphoreSlim _recovery = new(1, 1);

    /// <summary>Membership version of the last complete recovery pass; no silo can have died since if unchanged.</summary>
    private MembershipVersion? _recoveredAt;

    /// <summary>
    /// Turns the silo WAL of every silo that is no longer alive into per-stream WAL segments
    /// (<c>wal/{tenant}/{stream}/{n}</c>, which a stream grain replays when it activates), then deletes it and
    /// activates the streams it held. Stream grains call this before replaying, so a grain that re-activates after its
    /// silo died finds its entries. Idempotent: a recovered segment is rewritten to the same per-stream objects.
    /// </summary>
    /// <returns>The number of stream segments written.</returns>
    public async Task<int> RecoverOrphansAsync(CancellationToken ct = default)
    {
        var version = _membership.CurrentSnapshot.Version;
        if (_recoveredAt == version)
        {
            return 0;
        }

        HashSet<string>? recoveredStreams = null;
        var written = 0;
        await _recovery.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            version = _membership.CurrentSnapshot.Version;
            if (_recoveredAt == version)
            {
                return 0;
            }

            var wals = new SortedDictionary<string, List<(long Number, string Key)>>(StringComparer.Ordinal);
            var owners = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var info in _store.ListAsync(Prefix, ct).ConfigureAwait(false))
            {
                var parts = info.Key.Split('/');
                if (parts.Length != 3 || parts[1] == _walId)
                {
                    continue;
                }
                if (!wals.TryGetValue(parts[1], out var segments))
                {
                    wals[parts[1]] = segments = [];
                }
                if (parts[2] == OwnerObjectName)
                {
                    owners.Add(parts[1]);
                }
                else if (long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    segments.Add((number, info.Key));
                }
            }

            foreach (var (walId, segments) in wals)
            {
                if (owners.Contains(walId) && await IsOwnerAliveAsync(walId, ct).ConfigureAwait(false))
                {
                    continue;
                }
                written += await RecoverAsync(walId, segments, recoveredStreams ??= [], ct).ConfigureAwait(false);
                if (owners.Contains(walId))
                {
                    await _store.DeleteAsync(Prefix + walId + "/" + OwnerObjectName, ct).ConfigureAwait(false);
                }
            }
            _recoveredAt = version;
        }
        finally
        {
            _recovery.Release();
        }

        if (recoveredStreams is { Count: > 0 })
        {
            LogRecoveredOrphans(_logger, recoveredStreams.Count, written);
            // Activation replays; not awaited, because an activating grain waits for this method.
            foreach (var stream in recoveredStreams)
            {
                _ = ActivateAsync(stream);
            }
        }
        return written;
    }

    private async Task<bool> IsOwnerAliveAsync(string walId, CancellationToken ct)
    {
        var bytes = await _store.GetAsync(Prefix + walId + "/" + OwnerObjectName, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            return false;
        }
        var owner = SiloAddress.FromParsableString(Encoding.UTF8.GetString(bytes));
        var status = _membership.CurrentSnapshot.GetSiloStatus(owner);
        return status switch
        {
            SiloStatus.Dead => false,
            // Unknown to this silo's membership view: a silo older than this one that the membership table no longer
            // lists (e.g. the previous run of a restarted single silo); a newer unknown silo may just be joining.
            SiloStatus.None => owner.Generation >= _silo.SiloAddress.Generation,
            _ => true,
        };
    }

    private async Task<int> RecoverAsync(string walId, List<(long Number, string Key)> segments, HashSet<string> streams, CancellationToken ct)
    {
        // Per-stream segment numbers: the owner's start time, then its segment number, so recovering the same
        // segment twice rewrites the same objects and older silos' entries replay first.
        var startMillis = long.Parse(walId.AsSpan(0, 11), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var written = 0;
        var labelsWritten = new HashSet<string>(StringComparer.Ordinal);
        segments.Sort((a, b) => a.Number.CompareTo(b.Number));
        foreach (var (number, key) in segments)
        {
            var data = await _store.GetAsync(key, ct).ConfigureAwait(false);
            if (data is null)
            {
                continue;
            }
            var byStream = new Dictionary<string, List<ReadOnlyMemory<byte>>>(StringComparer.Ordinal);
            var labelsOf = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var frame in SiloWalFrame.Read(data, at => LogTornTail(_logger, key, at)))
            {
                if (!byStream.TryGetValue(frame.Key, out var bodies))
                {
                    byStream[frame.Key] = bodies = [];
                }
                bodies.Add(frame.Body);
                if (frame.Labels is not null)
                {
                    labelsOf[frame.Key] = frame.Labels;
                }
            }
            foreach (var (streamKey, bodies) in byStream)
            {
                var (tenant, streamId) = StorageKeys.SplitKey(streamKey);
                // The labels first: a stream replays its segments only with them. (Frames of older versions carry no
                // labels; those versions wrote this object when the stream was created.)
                if (labelsOf.TryGetValue(streamKey, out var labels) && labelsWritten.Add(streamKey))
                {
                    await _store.PutAsync(StorageKeys.WalLabels(tenant, streamId), Encoding.UTF8.GetBytes(labels), ct).ConfigureAwait(false);
                }
                var target = StorageKeys.WalSegment(tenant, streamId, (startMillis << 20) | (number & 0xFFFFF));
                await _store.PutAsync(target, Concat(bodies), ct).ConfigureAwait(false);
                streams.Add(streamKey);
                written++;
            }
            await _store.DeleteAsync(key, ct).ConfigureAwait(false);
        }
        return written;
    }

    private async Task ActivateAsync(string streamKey)
    {
        try
        {
            await _grains.GetGrain<IStreamGrain>(streamKey).RecoverAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The per-stream segments stay; the stream replays them on its next activation.
            LogActivationFailed(_logger, e, streamKey);
        }
    }

    private static byte[] Concat(List<ReadOnlyMemory<byte>> parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.Span.CopyTo(result.AsSpan(offset));
            offset += part.Length;
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered the WAL of dead silos: {Streams} streams, {Segments} stream segments written")]
    private static partial void LogRecoveredOrphans(ILogger logger, int streams, int segments);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo WAL segment {Key} ends in a torn frame at offset {Offset}; the rest is ignored")]
    private static partial void LogTornTail(ILogger logger, string key, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activating recovered stream {Stream} failed; it replays on its next activation")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, string stream);
}
