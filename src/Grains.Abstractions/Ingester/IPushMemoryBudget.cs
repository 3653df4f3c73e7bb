namespace Orleans.Loki.Grains.Ingester;

/// <summary>
/// The process's memory budget for push requests that are being read, decoded and distributed, shared with its
/// unflushed in-memory data under <c>ingester.max_unflushed_bytes</c>: a push is admitted only while the unflushed data
/// plus the pushes already in flight are under the cap, so concurrent bodies cannot take the process past it before
/// anything reaches a stream grain.
/// </summary>
public interface IPushMemoryBudget
{
    /// <summary>The cap in bytes; 0 when there is none (every push is admitted).</summary>
    long LimitBytes { get; }

    /// <summary>Unflushed data plus the bytes reserved by pushes in flight.</summary>
    long CommittedBytes { get; }

    /// <summary>
    /// Reserves <paramref name="bytes"/> for one push when the committed bytes are under the cap (a single push may
    /// take them past it, as a push to a stream grain under the cap is taken whole); false when they are not.
    /// </summary>
    bool TryReserve(long bytes);

    /// <summary>Adds to a push's reservation once its size is known (a compressed body decoded), without refusing.</summary>
    void Grow(long bytes);

    /// <summary>Gives back what a push reserved.</summary>
    void Release(long bytes);

    /// <summary>The text of a push refused at admission.</summary>
    string AdmissionRefusal(string tenant);
}

/// <summary>One push's share of an <see cref="IPushMemoryBudget"/>, given back on dispose.</summary>
public sealed class PushReservation : IDisposable
{
    private readonly IPushMemoryBudget? _budget;
    private long _bytes;

    private PushReservation(IPushMemoryBudget? budget, long bytes)
    {
        _budget = budget;
        _bytes = bytes;
    }

    /// <summary>A reservation of nothing, for processes without a budget.</summary>
    public static PushReservation None { get; } = new(null, 0);

    /// <summary>The bytes held.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Reserves <paramref name="bytes"/>; null when the budget refuses.</summary>
    public static PushReservation? TryTake(IPushMemoryBudget? budget, long bytes)
    {
        if (budget is null || budget.LimitBytes <= 0)
        {
            return None;
        }
        return budget.TryReserve(bytes) ? new PushReservation(budget, bytes) : null;
    }

    /// <summary>Raises the reservation to <paramref name="total"/> bytes when it holds fewer.</summary>
    public void GrowTo(long total)
    {
        if (_budget is null)
        {
            return;
        }
        var more = total - _bytes;
        if (more > 0)
        {
            _budget.Grow(more);
            _bytes = total;
        }
    }

    public void Dispose()
    {
        if (_budget is null)
        {
            return;
        }
        var bytes = Interlocked.Exchange(ref _bytes, 0);
        if (bytes > 0)
        {
            _budget.Release(bytes);
        }
    }
}
