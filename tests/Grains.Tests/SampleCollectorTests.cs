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

    [Fact]
    public void Window_sums_of_runs_added_from_many_collectors_equal_the_sums_computed_from_every_sample()
    {
        var random = new Random(20261202);
        for (var round = 0; round < 300; round++)
        {
            // Ranges shorter, equal to and longer than the step; samples before, inside and after the windows.
            var step = random.Next(1, 40);
            var windows = new StepWindows(random.Next(-50, 50), step, random.Next(1, 30), random.Next(1, 120));
            var samples = new List<(long Ts, double Value)>();
            var total = new SampleCollector();
            var parts = new List<SampleCollector>();
            for (var run = random.Next(1, 6); run > 0; run--)
            {
                var part = new SampleCollector();
                var builder = new LabelsBuilder([new("app", "a")]);
                var ts = (long)random.Next(-200, 200);
                var ordered = random.Next(3) > 0;
                for (var n = random.Next(0, 40); n > 0; n--)
                {
                    ts = ordered ? ts + random.Next(0, 15) : random.Next(-200, 900);
                    double value = random.Next(1, 100);
                    samples.Add((ts, value));
                    part.Add(builder, ts, value);
                }
                total.Add(part);
                parts.Add(part);
            }

            var page = total.ToPage(new ReadStats(), windows);
            // What a querier answers: each part's window sums added per window, without concatenating the samples.
            var merged = SampleCollector.ToPage(parts, new ReadStats(), windows);
            Assert.Equal(page.Series.Select(s => (s.Labels, string.Join(",", s.Timestamps), string.Join(",", s.Values))),
                merged.Series.Select(s => (s.Labels, string.Join(",", s.Timestamps), string.Join(",", s.Values))));

            var expectedEnds = new List<long>();
            var expectedSums = new List<double>();
            for (var i = 0; i < windows.Count; i++)
            {
                var end = windows.FirstEndNs + (i * windows.StepNs);
                var inWindow = samples.Where(x => x.Ts > end - windows.RangeNs && x.Ts <= end).ToList();
                if (inWindow.Count > 0)
                {
                    expectedEnds.Add(end);
                    expectedSums.Add(inWindow.Sum(x => x.Value));
                }
            }
            if (expectedEnds.Count == 0)
            {
                Assert.Empty(page.Series);
                continue;
            }
            var series = Assert.Single(page.Series);
            Assert.Equal(expectedEnds, series.Timestamps);
            Assert.Equal(expectedSums, series.Values);
        }
    }

    [Fact]
    public void A_grouping_reduces_each_sample_to_the_grouping_labels_but_a_sample_with_an_error_keeps_them_all()
    {
        var collector = new SampleCollector(["level"]);
        var builder = new LabelsBuilder([new("app", "a"), new("pod", "p0")]);
        string?[] levels = ["info", "error", null, "info"];
        for (var i = 0; i < levels.Length; i++)
        {
            builder.Reset();
            builder.Set(LabelCategory.StructuredMetadata, "detected_level", "x" + i);
            if (levels[i] is { } level)
            {
                builder.Set(LabelCategory.Parsed, "level", new string(level.AsSpan()));
            }
            collector.Add(builder, i, 1);
        }
        builder.Reset();
        builder.SetError("JSONParserErr", "bad json");
        collector.Add(builder, 9, 1);

        var page = collector.ToPage(new ReadStats());

        Assert.Equal(["{__error__=\"JSONParserErr\", __error_details__=\"bad json\", app=\"a\", pod=\"p0\"}", "{level=\"error\"}", "{level=\"info\"}", "{}"],
            page.Series.Select(s => s.Labels).Order(StringComparer.Ordinal));
        Assert.Equal([0L, 3], page.Series.Single(s => s.Labels == "{level=\"info\"}").Timestamps);
        Assert.Equal(["level", "info"], page.Series.Single(s => s.Labels == "{level=\"info\"}").LabelPairs);
    }
}
