using Orleans.Loki.Ruler.Evaluation;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>Evaluation slots as Prometheus aligns group evaluations.</summary>
public sealed class GroupScheduleTests
{
    private const long Minute = 60_000_000_000L;

    [Fact]
    public void Offset_IsStableAndWithinTheInterval_AndDiffersBetweenGroups()
    {
        var a = GroupSchedule.Offset("ns.yaml", "g1", Minute);
        Assert.Equal(a, GroupSchedule.Offset("ns.yaml", "g1", Minute));
        Assert.InRange(a, 0, Minute - 1);
        var offsets = Enumerable.Range(0, 50).Select(i => GroupSchedule.Offset("ns.yaml", "g" + i, Minute)).ToHashSet();
        Assert.True(offsets.Count > 45, "group offsets should spread over the interval");
    }

    [Fact]
    public void Slots_AreOffsetPlusMultiplesOfTheInterval()
    {
        var offset = GroupSchedule.Offset("ns", "g", Minute);
        var now = 1_767_225_600_000_000_000L + (17 * Minute) + 12_345;
        var slot = GroupSchedule.EvalTimestamp(offset, Minute, now);
        Assert.True(slot <= now && now - slot < Minute);
        Assert.Equal(offset, ((slot % Minute) + Minute) % Minute);
        Assert.Equal(slot + Minute, GroupSchedule.FirstEvaluation(offset, Minute, now));
    }

    [Fact]
    public void NextAfter_CountsMissedSlots()
    {
        Assert.Equal((10 * Minute, 0L), GroupSchedule.NextAfter(9 * Minute, Minute, (9 * Minute) + 5));
        Assert.Equal((11 * Minute, 1L), GroupSchedule.NextAfter(9 * Minute, Minute, (11 * Minute) + 5));   // 10m missed; 11m is due now
    }
}
