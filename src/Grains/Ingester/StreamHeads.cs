using System.Collections.Concurrent;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// The stream grains active on this silo, by tenant and fingerprint: lets one <see cref="HeadReaderGrain"/> call read
/// the in-memory entries of every matched stream the silo hosts instead of one grain call per stream. A stream is
/// added once its WAL is replayed and removed when its deactivation (with its last flush) is over.
/// </summary>
internal sealed class StreamHeads
{
    private readonly ConcurrentDictionary<(string Tenant, ulong Fingerprint), StreamGrain> _streams = new();

    /// <summary>Active streams on this silo.</summary>
    public int Count => _streams.Count;

    public void Add(string tenant, ulong fingerprint, StreamGrain grain) => _streams[(tenant, fingerprint)] = grain;

    /// <summary>Removes the entry only if it is still <paramref name="grain"/> (a newer activation may have replaced it).</summary>
    public void Remove(string tenant, ulong fingerprint, StreamGrain grain) =>
        _streams.TryRemove(new KeyValuePair<(string, ulong), StreamGrain>((tenant, fingerprint), grain));

    public bool TryGet(string tenant, ulong fingerprint, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StreamGrain? grain) =>
        _streams.TryGetValue((tenant, fingerprint), out grain);
}
