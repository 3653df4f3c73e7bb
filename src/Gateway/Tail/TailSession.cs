using System.Text;
using System.Threading.Channels;
using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Tail;
using Orleans.Loki.LogQL.Log;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Tail;

/// <summary>
/// The observer of one tail connection: runs the query's pipeline over the entries stream grains send, and keeps
/// what passes in a bounded buffer ordered by timestamp until the websocket writer takes it.
/// </summary>
/// <remarks>
/// Stream grains call <see cref="ITailObserver.OnEntriesAsync"/> one-way, so nothing here can slow a push; a client that reads too
/// slowly fills the buffer and further entries are recorded as dropped (timestamp and labels, as Loki reports them),
/// sent along with the next message.
/// </remarks>
internal sealed class TailSession(Pipeline pipeline, long delayNs) : ITailObserver
{
    /// <summary>Loki's <c>maxEntriesPerTailResponse</c>.</summary>
    public const int MaxEntriesPerFrame = 100;

    /// <summary>Loki's <c>maxDroppedEntriesPerTailResponse</c>: beyond it, dropped entries are not even recorded.</summary>
    public const int MaxDroppedPerFrame = 1000;

    /// <summary>Entries held for a slow client: Loki's tailer buffers 10 responses of at most 100 entries.</summary>
    public const int BufferCapacity = 10 * MaxEntriesPerFrame;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, StreamPipeline> _streams = new(StringComparer.Ordinal);

    /// <summary>The tenants' delete requests: their lines are never sent (checked again when the requests change).</summary>
    public TailDeletes? Deletes { get; init; }

    /// <summary>A buffered line with what the delete check needs: the entry as stored and the requests' version it was checked under.</summary>
    private sealed record Buffered(TailLine Line, string? Tenant, string StreamLabels, byte[]? RawLine, KeyValuePair<string, string>[]? Metadata, int Version);

    private readonly PriorityQueue<Buffered, (long Ts, long Seq)> _buffer = new();
    private readonly List<DroppedEntry> _dropped = [];
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private HashSet<(string Labels, long Ts, string Line)>? _replayed;
    private long _sequence;

    Task ITailObserver.OnEntriesAsync(TailEntries entries)
    {
        Accept(entries.Labels, EntryBatch.Decode(entries.Batch));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs the pipeline over one stream's entries and buffers what passes (or records it as dropped).
    /// <paramref name="tenant"/> and <paramref name="storedLabels"/> name the stream for the delete requests when
    /// <paramref name="streamLabels"/> carries more (multi-tenant tails add <c>__tenant_id__</c>).
    /// </summary>
    public void Accept(string streamLabels, List<LogEntry> entries, string? tenant = null, string? storedLabels = null)
    {
        storedLabels ??= streamLabels;
        var version = Deletes?.Version ?? 0;
        var added = false;
        lock (_gate)
        {
            if (!_streams.TryGetValue(streamLabels, out var sp))
            {
                if (!LabelSet.TryParse(streamLabels, out var pairs, out _))
                {
                    return;
                }
                sp = pipeline.ForStream(pairs);
                _streams.Add(streamLabels, sp);
            }
            foreach (var entry in entries)
            {
                var line = entry.Line.Span;
                if (Deletes is not null && Deletes.Deletes(tenant, storedLabels, entry.TimestampNs, line, entry.Metadata))
                {
                    continue;
                }
                if (!sp.Process(entry.TimestampNs, ref line, entry.Metadata))
                {
                    continue;
                }
                var tailLine = new TailLine(entry.TimestampNs, sp.Labels.LabelsString(), sp.Labels.Labels(), Encoding.UTF8.GetString(line));
                if (_replayed is not null && _replayed.Contains((tailLine.LabelsKey, tailLine.TimestampNs, tailLine.Line)))
                {
                    continue;
                }
                if (_buffer.Count >= BufferCapacity)
                {
                    if (_dropped.Count < MaxDroppedPerFrame)
                    {
                        _dropped.Add(new DroppedEntry(tailLine.TimestampNs, tailLine.Labels));
                    }
                    continue;
                }
                var raw = Deletes is null ? null : entry.Line.ToArray();
                _buffer.Enqueue(new Buffered(tailLine, tenant, storedLabels, raw, entry.Metadata, version), (tailLine.TimestampNs, _sequence++));
                added = true;
            }
        }
        if (added)
        {
            _signal.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// Records the entries already sent from storage: a live entry that is also among them (pushed while the replay
    /// query ran) is not sent twice.
    /// </summary>
    public void MarkReplayed(IReadOnlyList<TailLine> replayed)
    {
        lock (_gate)
        {
            _replayed = [.. replayed.Select(l => (l.LabelsKey, l.TimestampNs, l.Line))];
            var kept = new List<(Buffered, (long, long))>(_buffer.Count);
            while (_buffer.TryDequeue(out var line, out var priority))
            {
                if (!_replayed.Contains((line.Line.LabelsKey, line.Line.TimestampNs, line.Line.Line)))
                {
                    kept.Add((line, priority));
                }
            }
            _buffer.EnqueueRange(kept);
        }
    }

    /// <summary>True when a buffered entry is due at <paramref name="nowNs"/>.</summary>
    public bool HasDue(long nowNs)
    {
        lock (_gate)
        {
            return _buffer.TryPeek(out var line, out _) && line.Line.TimestampNs + delayNs <= nowNs;
        }
    }

    /// <summary>
    /// The next message: up to <see cref="MaxEntriesPerFrame"/> buffered entries, oldest first, whose timestamp is at
    /// least <c>delay_for</c> in the past (Loki holds entries that long so late ones can still be ordered), plus what
    /// was dropped since the last message. Null when no entry is due.
    /// </summary>
    public TailFrame? TakeFrame(long nowNs, out long? nextDueNs)
    {
        lock (_gate)
        {
            List<TailLine>? lines = null;
            var version = Deletes?.Version ?? 0;
            while ((lines?.Count ?? 0) < MaxEntriesPerFrame && _buffer.TryPeek(out var line, out _) && line.Line.TimestampNs + delayNs <= nowNs)
            {
                _buffer.Dequeue();
                // Delete requests created since the line was buffered apply too.
                if (line.Version != version && line.RawLine is not null &&
                    Deletes!.Deletes(line.Tenant, line.StreamLabels, line.Line.TimestampNs, line.RawLine, line.Metadata))
                {
                    continue;
                }
                (lines ??= []).Add(line.Line);
            }
            nextDueNs = _buffer.TryPeek(out var next, out _) ? next.Line.TimestampNs + delayNs : null;
            if (lines is null)
            {
                return null;
            }
            DroppedEntry[] dropped = [.. _dropped];
            _dropped.Clear();
            return new TailFrame(lines, dropped);
        }
    }

    /// <summary>Completes when entries were buffered since the last call (or at once if some were).</summary>
    public async Task WaitForEntriesAsync(CancellationToken ct)
    {
        await _signal.Reader.WaitToReadAsync(ct).ConfigureAwait(false);
        _signal.Reader.TryRead(out _);
    }
}
