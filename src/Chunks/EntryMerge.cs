namespace Orleans.Loki.Chunks;

/// <summary>
/// Iterates the entries of several blocks (each sorted, given in insertion order) in timestamp order.
/// Ties are ordered by (block, position), which is insertion order; backward iteration yields the exact reverse.
/// Blocks are loaded lazily, only when the merge reaches their time range.
/// </summary>
internal static class EntryMerge
{
    public static IEnumerable<LogEntry> Iterate(BlockSource[] blocks, long fromNs, long throughNs, bool backward)
    {
        if (blocks.Length == 0 || fromNs >= throughNs)
        {
            return [];
        }

        if (AreSequential(blocks))
        {
            return backward ? SequentialBackward(blocks, fromNs, throughNs) : SequentialForward(blocks, fromNs, throughNs);
        }

        return backward ? MergeBackward(blocks, fromNs, throughNs) : MergeForward(blocks, fromNs, throughNs);
    }

    /// <summary>True when no block starts before the previous one ends: then block order is timestamp order.</summary>
    private static bool AreSequential(BlockSource[] blocks)
    {
        for (var i = 1; i < blocks.Length; i++)
        {
            if (blocks[i].MinTimeNs < blocks[i - 1].MaxTimeNs)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<LogEntry> SequentialForward(BlockSource[] blocks, long fromNs, long throughNs)
    {
        foreach (var block in blocks)
        {
            var entries = block.Load();
            for (var i = LowerBound(entries, fromNs); i < entries.Length; i++)
            {
                if (entries[i].TimestampNs >= throughNs)
                {
                    yield break;
                }

                yield return entries[i];
            }
        }
    }

    private static IEnumerable<LogEntry> SequentialBackward(BlockSource[] blocks, long fromNs, long throughNs)
    {
        for (var b = blocks.Length - 1; b >= 0; b--)
        {
            var entries = blocks[b].Load();
            for (var i = LowerBound(entries, throughNs) - 1; i >= 0; i--)
            {
                if (entries[i].TimestampNs < fromNs)
                {
                    yield break;
                }

                yield return entries[i];
            }
        }
    }

    private static IEnumerable<LogEntry> MergeForward(BlockSource[] blocks, long fromNs, long throughNs)
    {
        var order = Enumerable.Range(0, blocks.Length)
            .OrderBy(i => blocks[i].MinTimeNs).ThenBy(i => i).ToArray();
        var loaded = new LogEntry[blocks.Length][];
        var positions = new int[blocks.Length];
        var heap = new PriorityQueue<int, (long Ts, int Block)>();
        var next = 0;
        while (true)
        {
            while (next < order.Length && (heap.Count == 0 || blocks[order[next]].MinTimeNs <= PeekTs(heap)))
            {
                var b = order[next++];
                loaded[b] = blocks[b].Load();
                positions[b] = LowerBound(loaded[b], fromNs);
                if (positions[b] < loaded[b].Length)
                {
                    heap.Enqueue(b, (loaded[b][positions[b]].TimestampNs, b));
                }
            }

            if (!heap.TryDequeue(out var block, out var top))
            {
                yield break;
            }

            if (top.Ts >= throughNs)
            {
                yield break;
            }

            yield return loaded[block][positions[block]];
            if (++positions[block] < loaded[block].Length)
            {
                heap.Enqueue(block, (loaded[block][positions[block]].TimestampNs, block));
            }
        }
    }

    private static IEnumerable<LogEntry> MergeBackward(BlockSource[] blocks, long fromNs, long throughNs)
    {
        var order = Enumerable.Range(0, blocks.Length)
            .OrderByDescending(i => blocks[i].MaxTimeNs).ThenByDescending(i => i).ToArray();
        var loaded = new LogEntry[blocks.Length][];
        var positions = new int[blocks.Length];
        var heap = new PriorityQueue<int, (long Ts, int Block)>(Comparer<(long Ts, int Block)>.Create((x, y) => y.CompareTo(x)));
        var next = 0;
        while (true)
        {
            while (next < order.Length && (heap.Count == 0 || blocks[order[next]].MaxTimeNs >= PeekTs(heap)))
            {
                var b = order[next++];
                loaded[b] = blocks[b].Load();
                positions[b] = LowerBound(loaded[b], throughNs) - 1;
                if (positions[b] >= 0)
                {
                    heap.Enqueue(b, (loaded[b][positions[b]].TimestampNs, b));
                }
            }

            if (!heap.TryDequeue(out var block, out var top))
            {
                yield break;
            }

            if (top.Ts < fromNs)
            {
                yield break;
            }

            yield return loaded[block][positions[block]];
            if (--positions[block] >= 0)
            {
                heap.Enqueue(block, (loaded[block][positions[block]].TimestampNs, block));
            }
        }
    }

    private static long PeekTs(PriorityQueue<int, (long Ts, int Block)> heap)
    {
        heap.TryPeek(out _, out var priority);
        return priority.Ts;
    }

    /// <summary>Index of the first entry with timestamp &gt;= <paramref name="ts"/>.</summary>
    private static int LowerBound(LogEntry[] entries, long ts)
    {
        int lo = 0, hi = entries.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].TimestampNs < ts)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
