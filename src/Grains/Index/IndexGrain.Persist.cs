namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Persistence of the tenant-day index: a base file (<see cref="StorageKeys.IndexFile"/>) holding the whole index as of
/// its generation, and that generation's append-only delta log (<see cref="StorageKeys.IndexDelta"/>) holding the
/// changes since. A group commit appends one record with its changes, so a new series costs its own bytes rather
/// than a rewrite of the whole day. The base is rewritten (compaction: a new generation, then the old log is deleted)
/// when the log has grown as large as the base, after removals, after a failed write, on the first write of an
/// activation that found a log (never append after a tail another process may have torn) and when the grain
/// deactivates. The base is written first, so a day with an index always has its base file.
/// </summary>
internal sealed partial class IndexGrain
{
    /// <summary>The log is compacted once it holds this many bytes and at least as many as the base.</summary>
    internal const int MinCompactionBytes = 256 * 1024;

    /// <summary>Records per log at most (an Azure append blob holds 50,000 blocks).</summary>
    internal const int MaxDeltaRecords = 10_000;

    private string _tenant = "";
    private int _day;
    private string _key = "";
    private long _dayStartNs;
    private long _version;
    private long _persistedVersion;
    private Task? _persisting;

    /// <summary>Generation of the base file (and of the log appended to).</summary>
    private long _generation;
    private bool _baseExists;
    private long _baseBytes;
    private long _deltaBytes;
    private int _deltaRecords;
    private bool _compactNext;

    /// <summary>Changes applied in memory and not yet in a write.</summary>
    private List<IndexChange> _changes = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (tenant, dayText) = StorageKeys.SplitKey(this.GetPrimaryKeyString());
        _tenant = tenant;
        _day = int.Parse(dayText, System.Globalization.CultureInfo.InvariantCulture);
        _key = StorageKeys.IndexFile(tenant, _day);
        _dayStartNs = Model.TimePartition.DayStartNs(_day);
        var prefix = StorageKeys.IndexDayPrefix(tenant, _day);
        var deltas = new List<long>();
        await foreach (var info in store.ListAsync(prefix, cancellationToken))
        {
            var name = info.Key[prefix.Length..];
            if (name.StartsWith(StorageKeys.IndexDeltaName, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(StorageKeys.IndexDeltaName.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation))
            {
                deltas.Add(generation);
            }
        }

        var data = await store.GetAsync(_key, cancellationToken);
        if (data is not null)
        {
            _index = IndexFile.Read(data, _key, out _generation);
            _baseExists = true;
            _baseBytes = data.Length;
            if (deltas.Contains(_generation) && await store.GetAsync(StorageKeys.IndexDelta(tenant, _day, _generation), cancellationToken) is { } log)
            {
                var read = IndexFile.ReadDelta(_index, log);
                _deltaBytes = log.Length;
                _deltaRecords = read.Records;
                // The log may end in a torn record, and on Azure the append position of a blob written by another
                // process is unknown: this activation writes a new generation before it appends.
                _compactNext = true;
            }
        }
        else if (deltas.Count > 0)
        {
            // Logs without a base are left over from a deleted index: never let a new base adopt one.
            _generation = deltas.Max();
        }

        // Logs of other generations were superseded by a compaction (or by a deletion) whose clean-up did not finish.
        foreach (var generation in deltas)
        {
            if (!_baseExists || generation != _generation)
            {
                await store.DeleteAsync(StorageKeys.IndexDelta(tenant, _day, generation), cancellationToken);
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // At-close compaction: the next activation reads one file. Best effort; the log stays valid without it.
        if (_deltaBytes == 0 || _index.SeriesCount == 0)
        {
            return;
        }
        try
        {
            _compactNext = true;
            await PersistAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The base and its log still hold every acknowledged change.
        }
    }

    private Task PersistAsync(IndexChange change)
    {
        _changes.Add(change);
        return PersistAsync();
    }

    private async Task PersistAsync()
    {
        var wanted = ++_version;
        while (_persistedVersion < wanted)
        {
            if (_persisting is not null)
            {
                await _persisting;
                continue;
            }
            // Assign only when still running: a write that completed synchronously has already cleared the field.
            var write = WriteAsync();
            if (!write.IsCompleted)
            {
                _persisting = write;
            }
            await write;
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            var version = _version;
            var changes = _changes;
            _changes = [];
            try
            {
                if (!_baseExists || _compactNext || _deltaRecords >= MaxDeltaRecords
                    || (_deltaBytes >= MinCompactionBytes && _deltaBytes >= _baseBytes))
                {
                    await CompactAsync();
                }
                else if (changes.Count > 0)
                {
                    var record = IndexFile.WriteDelta(changes);
                    await store.AppendAsync(StorageKeys.IndexDelta(_tenant, _day, _generation), record);
                    _deltaBytes += record.Length;
                    _deltaRecords++;
                }
            }
            catch
            {
                // The changes are in memory only, and the log may end in a torn record: the next write is a new base.
                _compactNext = true;
                throw;
            }
            _persistedVersion = version;
        }
        finally
        {
            _persisting = null;
        }
    }

    /// <summary>Writes the whole index as the base of a new generation, then deletes the log it replaces.</summary>
    private async Task CompactAsync()
    {
        var previous = _generation;
        var hadBase = _baseExists;
        var generation = previous + 1;
        var bytes = IndexFile.Write(_index, generation);
        await store.PutAsync(_key, bytes);
        _generation = generation;
        _baseExists = true;
        _baseBytes = bytes.Length;
        _compactNext = false;
        var hadLog = _deltaBytes > 0;
        _deltaBytes = 0;
        _deltaRecords = 0;
        if (hadBase && hadLog)
        {
            // Superseded by the base just written; an activation deletes it if this does not happen.
            await DeleteLogAsync(previous);
        }
    }

    private async Task DeleteFileAsync(long version)
    {
        try
        {
            _changes = [];
            // The base first: without it the log is ignored (and deleted) by the next activation.
            await store.DeleteAsync(_key);
            _baseExists = false;
            _compactNext = false;
            if (_deltaBytes > 0)
            {
                _deltaBytes = 0;
                _deltaRecords = 0;
                await DeleteLogAsync(_generation);
            }
            _persistedVersion = Math.Max(_persistedVersion, version);
        }
        finally
        {
            _persisting = null;
        }
    }

    /// <summary>Deletes a log no base refers to any more; a failure leaves it to the next activation's clean-up.</summary>
    private async Task DeleteLogAsync(long generation)
    {
        try
        {
            await store.DeleteAsync(StorageKeys.IndexDelta(_tenant, _day, generation));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Ignored: the next activation deletes every log but the base's.
        }
    }
}
