namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// The silo WAL segments one chunk generation of one stream has written to. The generation holds a reference on each
/// until its chunk is flushed and indexed; a segment is deleted once no generation holds it.
/// </summary>
internal sealed class WalHolder
{
    /// <summary>Guarded by the owning <see cref="SiloWal"/>'s lock.</summary>
    public HashSet<long> Segments { get; } = [];

    public bool Released { get; set; }
}
