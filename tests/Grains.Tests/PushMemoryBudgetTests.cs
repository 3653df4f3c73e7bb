using Orleans.Loki.Grains.Ingester;

namespace Orleans.Loki.Grains.Tests;

/// <summary>
/// <see cref="IngesterMemory"/> as the process's push budget: pushes in flight and unflushed data share
/// <c>ingester.max_unflushed_bytes</c>; a push is admitted only while both together are under it.
/// </summary>
public sealed class PushMemoryBudgetTests
{
    [Fact]
    public void A_push_is_admitted_while_the_committed_bytes_are_under_the_cap_and_taken_whole()
    {
        var memory = new IngesterMemory(1000);
        // Under the cap before it: admitted even though it alone is larger than the cap.
        using var big = PushReservation.TryTake(memory, 1500);
        Assert.NotNull(big);
        Assert.Equal(1500, memory.InFlightBytes);
        Assert.Equal(1500, memory.CommittedBytes);

        // At or over the cap: refused, and the refusal reserves nothing.
        Assert.Null(PushReservation.TryTake(memory, 1));
        Assert.Equal(1500, memory.InFlightBytes);
        Assert.Contains("1500 bytes of pushes in flight", memory.AdmissionRefusal("t"), StringComparison.Ordinal);
        Assert.Contains("ingester.max_unflushed_bytes is 1000", memory.AdmissionRefusal("t"), StringComparison.Ordinal);

        big!.Dispose();
        Assert.Equal(0, memory.InFlightBytes);
        // Disposing twice gives nothing back twice.
        big.Dispose();
        Assert.Equal(0, memory.InFlightBytes);
        using var next = PushReservation.TryTake(memory, 10);
        Assert.NotNull(next);
    }

    [Fact]
    public void Unflushed_data_and_pushes_in_flight_count_together()
    {
        var memory = new IngesterMemory(1000);
        memory.Report("s1", 0, 600);
        using var first = PushReservation.TryTake(memory, 300);
        Assert.NotNull(first);
        using var second = PushReservation.TryTake(memory, 300);
        Assert.NotNull(second);
        // 600 unflushed + 600 in flight: no more, although the unflushed data alone is under the cap.
        Assert.False(memory.OverLimit);
        Assert.Null(PushReservation.TryTake(memory, 1));

        // A flush of the stream makes room again.
        memory.Report("s1", 600, 0);
        using var third = PushReservation.TryTake(memory, 1);
        Assert.NotNull(third);
    }

    [Fact]
    public void A_reservation_grows_to_what_the_decoded_body_holds_without_refusing()
    {
        var memory = new IngesterMemory(1000);
        using var reservation = PushReservation.TryTake(memory, 100)!;
        reservation.GrowTo(5000);
        Assert.Equal(5000, memory.InFlightBytes);
        // Never shrinks: what was reserved stays until the push ends.
        reservation.GrowTo(10);
        Assert.Equal(5000, reservation.Bytes);
        reservation.Dispose();
        Assert.Equal(0, memory.InFlightBytes);
    }

    [Fact]
    public void Without_a_cap_or_a_budget_every_push_is_admitted_and_nothing_is_counted()
    {
        var uncapped = new IngesterMemory(0);
        for (var i = 0; i < 3; i++)
        {
            Assert.Same(PushReservation.None, PushReservation.TryTake(uncapped, long.MaxValue / 4));
        }
        Assert.Equal(0, uncapped.InFlightBytes);
        Assert.Same(PushReservation.None, PushReservation.TryTake(null, 100));
    }

    [Fact]
    public async Task Concurrent_reservations_never_leave_bytes_behind()
    {
        var memory = new IngesterMemory(1L << 40);
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), (i, _) =>
        {
            using var r = PushReservation.TryTake(memory, 1 + (i % 7));
            Assert.NotNull(r);
            r!.GrowTo(20);
            return ValueTask.CompletedTask;
        });
        Assert.Equal(0, memory.InFlightBytes);
    }
}
