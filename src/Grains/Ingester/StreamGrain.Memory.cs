using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// This grain's share of the unflushed-data gauges (<see cref="IngesterMetrics.Unflushed"/>): what it last added is
/// remembered, and each report adds only the difference, so the process-wide gauges are sums without any scan over
/// grains. Reported after entries are applied (push and WAL replay), after a chunk is flushed, and withdrawn on
/// deactivation.
/// </summary>
internal sealed partial class StreamGrain
{
    private IngesterMetrics.UnflushedGauges? _unflushedGauges;
    private long _reportedBytes;
    private long _reportedCompressedBytes;
    private int _reportedChunks;
    private bool _unflushedWithdrawn;
    private IngesterMemory? _memory;
    private bool _memoryResolved;

    /// <summary>The silo's memory cap (absent in hosts that do not register it).</summary>
    private IngesterMemory? Memory
    {
        get
        {
            if (!_memoryResolved)
            {
                _memory = (IngesterMemory?)ServiceProvider.GetService(typeof(IngesterMemory));
                _memoryResolved = true;
            }
            return _memory;
        }
    }

    /// <summary>Over the silo's cap: every entry of the push is refused (nothing is appended), the first with the text.</summary>
    private PushAck? RefuseOverMemoryLimit(StreamPush push, List<LogEntry> entries)
    {
        if (Memory is not { OverLimit: true } memory)
        {
            return null;
        }
        var rejected = new List<RejectedEntry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            rejected.Add(new RejectedEntry(IngesterMemory.Reason, i == 0 ? memory.RefusalMessage(_tenant, push.Labels) : "", entries[i].Line.Length));
        }
        return new PushAck(0, 0, rejected);
    }

    /// <summary>Brings the gauges to this grain's current head and cut-but-unflushed chunks (one pass over them).</summary>
    private void ReportUnflushed()
    {
        if (_unflushedWithdrawn)
        {
            return;
        }
        long bytes = 0;
        long compressed = 0;
        var chunks = 0;
        foreach (var closed in _closed)
        {
            bytes += closed.Chunk.UncompressedBytes;
            compressed += closed.Chunk.CompressedBytes;
            chunks++;
        }
        if (_head.EntryCount > 0)
        {
            bytes += _head.UncompressedBytes;
            compressed += _head.CompressedBytes;
            chunks++;
        }
        SetUnflushed(bytes, compressed, chunks);
    }

    /// <summary>Removes this grain's share on deactivation: its chunks go with it (the WAL keeps what was not flushed).</summary>
    private void WithdrawUnflushed()
    {
        SetUnflushed(0, 0, 0);
        _unflushedWithdrawn = true;
    }

    private void SetUnflushed(long bytes, long compressed, int chunks)
    {
        if (bytes == _reportedBytes && compressed == _reportedCompressedBytes && chunks == _reportedChunks)
        {
            return;
        }
        _unflushedGauges ??= IngesterMetrics.Unflushed(_tenant);
        _unflushedGauges.Add(bytes - _reportedBytes, compressed - _reportedCompressedBytes, chunks - _reportedChunks);
        Memory?.Report(this.GetPrimaryKeyString(), _reportedBytes, bytes);
        _reportedBytes = bytes;
        _reportedCompressedBytes = compressed;
        _reportedChunks = chunks;
    }
}
