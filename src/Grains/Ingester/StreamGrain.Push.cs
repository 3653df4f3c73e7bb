using Orleans.Loki.Chunks;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Ingester;

internal sealed partial class StreamGrain
{
    /// <summary>Batches waiting for the next WAL append.</summary>
    private List<PendingBatch> _pending = [];

    /// <summary>The running commit loop, or null when no WAL append is in flight.</summary>
    private Task? _commitLoop;

    async Task<PushAck> IStreamGrain.PushAsync(StreamPush push)
    {
        _labels ??= push.Labels;
        var entries = EntryBatch.Decode(push.Batch);
        if (RefuseOverMemoryLimit(push, entries) is { } refused)
        {
            return refused;
        }
        var rejected = new List<RejectedEntry>();
        if (!await AdmitAsync(push.Labels, entries, rejected, push.Joined))
        {
            return new PushAck(0, 0, rejected);
        }
        var cutoffBase = _highestTs;
        var accepted = entries;
        var maxBehind = (long)(options.MaxChunkAge.Ticks / 2 * 100);
        for (var i = 0; i < entries.Count; i++)
        {
            var ts = entries[i].TimestampNs;
            if (cutoffBase != long.MinValue && ts < cutoffBase - maxBehind)
            {
                if (ReferenceEquals(accepted, entries))
                {
                    accepted = entries.GetRange(0, i);
                }
                rejected.Add(TooFarBehind(entries[i], cutoffBase - maxBehind));
                continue;
            }
            if (!ReferenceEquals(accepted, entries))
            {
                accepted.Add(entries[i]);
            }
            if (ts > _highestTs)
            {
                _highestTs = ts;
            }
        }

        if (accepted.Count == 0)
        {
            return new PushAck(0, 0, rejected);
        }

        var record = ReferenceEquals(accepted, entries) && rejected.Count == 0 ? push.Batch : EntryBatch.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(accepted));
        var pending = new PendingBatch(record, accepted);
        _pending.Add(pending);
        if (_commitLoop is null)
        {
            StartCommitLoop();
        }

        var registration = push.Indexed ? NoteRegisteredDays(accepted) : RegisterDaysAsync(accepted);
        await Task.WhenAll(pending.Completion.Task, registration);
        return new PushAck(accepted.Count - pending.Duplicates, pending.Duplicates, rejected);
    }

    private static RejectedEntry TooFarBehind(in LogEntry entry, long cutoffNs) => new(
        "too_far_behind",
        $"entry with timestamp {GoTime.TimeString(entry.TimestampNs)} ignored, reason: 'entry too far behind, entry timestamp is: {GoTime.Rfc3339(entry.TimestampNs)}, oldest acceptable timestamp is: {GoTime.Rfc3339(cutoffNs)}',",
        entry.Line.Length);

    private void StartCommitLoop()
    {
        // Assign only when still running: a loop that completed synchronously has already cleared the field.
        var loop = CommitLoopAsync();
        if (!loop.IsCompleted)
        {
            _commitLoop = loop;
        }
    }

    /// <summary>
    /// Appends every pending batch to the current WAL segment in one write, then applies the entries to the head chunk
    /// and completes the callers. Runs until nothing is pending. Entries are applied only after they are durable, so
    /// the head never holds an entry that a crash could lose.
    /// </summary>
    private async Task CommitLoopAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var group = _pending;
                _pending = [];
                try
                {
                    await AppendToWalAsync(group);
                }
                catch (Exception e)
                {
                    // The silo WAL seals a segment whose append failed, so a torn frame is only ever a segment's tail.
                    foreach (var batch in group)
                    {
                        batch.Completion.TrySetException(e);
                    }
                    continue;
                }

                ApplyCommitted(group);
                ReportUnflushed();
                ForwardToTails(group);
            }
        }
        finally
        {
            _commitLoop = null;
        }
    }

    private void ApplyCommitted(List<PendingBatch> group)
    {
        var now = time.GetUtcNow();
        foreach (var batch in group)
        {
            var duplicates = 0;
            foreach (var entry in batch.Entries)
            {
                if (_head.EntryCount == 0)
                {
                    _headCreated = now;
                }
                if (_head.Append(entry) == AppendOutcome.Duplicate)
                {
                    duplicates++;
                }
            }
            batch.Duplicates = duplicates;
            _lastAppend = now;
            IngesterMetrics.EntriesAppended(batch.Entries.Count - duplicates);
        }

        if (_head.IsFull)
        {
            CutHead();
            _ = FlushInBackgroundAsync();
        }

        foreach (var batch in group)
        {
            batch.Completion.TrySetResult();
        }
    }

    /// <summary>The distributor registered the days of the push's entries: only remembered here.</summary>
    private Task NoteRegisteredDays(List<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            _registeredDays.Add(StorageKeys.DayOf(entry.TimestampNs));
        }
        return Task.CompletedTask;
    }

    private async Task RegisterDaysAsync(List<LogEntry> entries)
    {
        List<Task>? tasks = null;
        var lastDay = int.MinValue;
        foreach (var entry in entries)
        {
            var day = StorageKeys.DayOf(entry.TimestampNs);
            if (day == lastDay || _registeredDays.Contains(day))
            {
                lastDay = day;
                continue;
            }
            lastDay = day;
            _registeredDays.Add(day);
            tasks ??= [];
            tasks.Add(RegisterDayAsync(day));
        }
        if (tasks is not null)
        {
            await Task.WhenAll(tasks);
        }
    }

    private async Task RegisterDayAsync(int day)
    {
        try
        {
            await GrainRefs.Get<IIndexGrain>(GrainFactory, $"{_tenant}/{day}").RegisterSeriesAsync(_fingerprint, _labels!);
        }
        catch
        {
            _registeredDays.Remove(day);
            throw;
        }
    }

    private sealed class PendingBatch(byte[] record, List<LogEntry> entries)
    {
        public byte[] Record { get; } = record;
        public List<LogEntry> Entries { get; } = entries;
        public int Duplicates { get; set; }
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
