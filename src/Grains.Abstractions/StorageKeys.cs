namespace Orleans.Loki.Grains;

/// <summary>
/// Object-store key layout. WAL segments live under one top-level prefix so start-up recovery lists only WAL keys,
/// never the (much larger) chunk space.
/// </summary>
public static class StorageKeys
{
    public static string StreamId(ulong fingerprint) => fingerprint.ToString("x16");

    /// <summary>Grain key of a stream grain.</summary>
    public static string StreamGrainKey(string tenant, ulong fingerprint) => tenant + "/" + StreamId(fingerprint);

    public static string WalPrefix => "wal/";

    public static string WalStreamPrefix(string tenant, string streamId) => $"wal/{tenant}/{streamId}/";

    /// <summary>Name of the object, next to a stream's WAL segments, that holds the stream's labels.</summary>
    public const string WalLabelsName = "labels";

    /// <summary>The object naming a stream's labels next to its WAL segments (read when the stream replays them).</summary>
    public static string WalLabels(string tenant, string streamId) => WalStreamPrefix(tenant, streamId) + WalLabelsName;

    /// <summary>Zero-padded so that ordinal listing order is numeric order.</summary>
    public static string WalSegment(string tenant, string streamId, long segment) => $"wal/{tenant}/{streamId}/{segment:D10}";

    public static string Chunk(string tenant, string streamId, long fromNs, long throughNs, uint checksum) =>
        $"{tenant}/chunks/{streamId}/{fromNs:x}-{throughNs:x}-{checksum:x8}";

    public static string IndexFile(string tenant, int day) => $"{tenant}/index/{day}/0";

    /// <summary>Prefix of a tenant-day's index objects: the base file and its delta logs.</summary>
    public static string IndexDayPrefix(string tenant, int day) => $"{tenant}/index/{day}/";

    /// <summary>Name (after <see cref="IndexDayPrefix"/>) of a delta log, before its zero-padded generation.</summary>
    public const string IndexDeltaName = "delta-";

    /// <summary>The append-only delta log that follows the index base file of <paramref name="generation"/>.</summary>
    public static string IndexDelta(string tenant, int day, long generation) => $"{tenant}/index/{day}/{IndexDeltaName}{generation:D10}";

    /// <summary>The index day of <paramref name="timestampNs"/> (<see cref="Model.TimePartition.DayOf"/>).</summary>
    public static int DayOf(long timestampNs) => Model.TimePartition.DayOf(timestampNs);

    /// <summary>Splits a grain key <c>{tenant}/{rest}</c>.</summary>
    public static (string Tenant, string Id) SplitKey(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"grain key '{key}' is not of the form tenant/id", nameof(key));
        }
        return (key[..slash], key[(slash + 1)..]);
    }
}
