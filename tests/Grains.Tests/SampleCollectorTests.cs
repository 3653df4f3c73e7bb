using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Querier;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Tests;

public sealed class SampleCollectorTests
{
    [Fact]
    public void Window_sums_add_the_values_of_each_overlapping_window_end_exclusive_of_its_start()
    {
        // Windows (end - 10, end] for ends 10, 15, 20, 25, 30: overlapping, as with a range larger than the step.
        long[] timestamps = [20, 1, 10, 11, 30, 21];
        double[] values = [4, 1, 2, 8, 32, 16];

        var (ends, sums) = SampleCollector.WindowSums(timestamps, values, new StepWindows(10, 5, 5, 10));

        // (0, 10] = {1, 10}; (5, 15] = {10, 11}; (10, 20] = {11, 20}; (15, 25] = {20, 21}; (20, 30] = {21, 30}.
        Assert.Equal([10L, 15, 20, 25, 30], ends);
        Assert.Equal([3.0, 10, 12, 20, 48], sums);
    }

    [Fact]
    public void Window_sums_leave_out_empty_windows()
    {
        // Windows (30, 50], (80, 100], (130, 150], (180, 200]: 101 falls between two windows.
        var (ends, sums) = SampleCollector.WindowSums([100, 101], [1, 1], new StepWindows(50, 50, 4, 20));

        Assert.Equal([100L], ends);
        Assert.Equal([1.0], sums);
    }

    [Fact]
    public void Lines_whose_labels_change_per_line_to_equal_contents_land_in_one_series_per_label_set()
    {
        var builder = new LabelsBuilder([new("app", "a")]);
        var collector = new SampleCollector();
        string[] levels = ["info", "error", "info", "info", "error"];
        for (var i = 0; i < levels.Length; i++)
        {
            builder.Reset();
            // A new string instance per line, as structured metadata decoded from a block.
            builder.Set(LabelCategory.StructuredMetadata, "detected_level", new string(levels[i].AsSpan()));
            collector.Add(builder, i, 1);
        }

        var page = collector.ToPage(new ReadStats());

        Assert.Equal(["{app=\"a\", detected_level=\"error\"}", "{app=\"a\", detected_level=\"info\"}"], page.Series.Select(s => s.Labels).Order(StringComparer.Ordinal));
        var info = page.Series.Single(s => s.Labels.Contains("info", StringComparison.Ordinal));
        Assert.Equal([0L, 2, 3], info.Timestamps);
        Assert.Equal(["app", "a", "detected_level", "info"], info.LabelPairs);
    }
}
