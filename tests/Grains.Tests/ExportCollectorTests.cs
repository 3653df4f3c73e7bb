using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Grains.Querier;
using Orleans.Loki.LogQL.Log;

namespace Orleans.Loki.Grains.Tests;

/// <summary>An export page: every part's entries in order (timestamp, labels, line), whether merged or sorted, and its label sets.</summary>
public sealed class ExportCollectorTests
{
    private static readonly KeyValuePair<string, string>[] s_stream = [new("app", "api")];

    private static ExportCollector Part(params (long Ts, string Line)[] entries) => Part("api", entries);

    private static ExportCollector Part(string app, params (long Ts, string Line)[] entries)
    {
        var collector = new ExportCollector();
        var labels = new LabelsBuilder([new("app", app)]);
        foreach (var (ts, line) in entries)
        {
            labels.Reset();
            collector.Add(ts, labels, System.Text.Encoding.UTF8.GetBytes(line));
        }
        return collector;
    }

    private static List<(long, string, string)> Rows(ExportPage page) =>
        [.. Enumerable.Range(0, page.Count).Select(i => (page.Timestamps[i], page.Labels[page.LabelIds[i]],
            System.Text.Encoding.UTF8.GetString(page.Data, page.Offsets[i], page.Lengths[i])))];

    [Fact]
    public void Sorted_parts_are_merged_in_timestamp_then_labels_then_line_order_and_cut_at_the_limit()
    {
        var page = ExportCollector.ToPage([
            Part("web", (10, "w1"), (20, "w2"), (20, "a-same-ts"), (40, "w4")),
            Part("api", (20, "z"), (20, "b"), (30, "a3")),
        ], backward: false, limit: 6, new ReadStats());

        Assert.Equal([
            (10L, "{app=\"web\"}", "w1"),
            (20L, "{app=\"api\"}", "b"),
            (20L, "{app=\"api\"}", "z"),
            (20L, "{app=\"web\"}", "a-same-ts"),
            (20L, "{app=\"web\"}", "w2"),
            (30L, "{app=\"api\"}", "a3"),
        ], Rows(page));
    }

    [Fact]
    public void Unsorted_parts_and_many_parts_come_out_in_the_same_order_as_merged_ones()
    {
        (long, string)[] a = [(5, "a5"), (1, "a1"), (3, "a3")];
        (long, string)[] b = [(2, "b2"), (3, "b3"), (4, "b4")];
        var sorted = Rows(ExportCollector.ToPage([Part("a", [.. a.OrderBy(e => e.Item1)]), Part("b", b)], false, 100, new ReadStats()));
        var unsorted = Rows(ExportCollector.ToPage([Part("a", a), Part("b", b)], false, 100, new ReadStats()));
        Assert.Equal(sorted, unsorted);
        Assert.Equal([1L, 2, 3, 3, 4, 5], sorted.Select(r => r.Item1));

        // Twelve parts, more than are merged: sorted instead, same order.
        var parts = Enumerable.Range(0, 12).Select(p => Part($"p{p:00}", [.. Enumerable.Range(0, 5).Select(i => ((long)((i * 12) + (11 - p)), $"l{i}"))])).ToList();
        var rows = Rows(ExportCollector.ToPage(parts, backward: true, limit: 60, new ReadStats()));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => 59L - i), rows.Select(r => r.Item1));
    }

    [Fact]
    public void Entries_sharing_a_metadata_array_share_one_label_set_and_other_metadata_gets_its_own()
    {
        var collector = new ExportCollector();
        var labels = new LabelsBuilder(s_stream);
        KeyValuePair<string, string>[] info = [new("detected_level", "info")];
        KeyValuePair<string, string>[] error = [new("detected_level", "error")];
        KeyValuePair<string, string>[] infoAgain = [new("detected_level", "info")];
        foreach (var (ts, metadata) in new (long, KeyValuePair<string, string>[]?)[] { (1, info), (2, error), (3, info), (4, null), (5, infoAgain), (6, null) })
        {
            labels.Reset();
            foreach (var m in metadata ?? [])
            {
                labels.SetMetadata(m.Key, m.Value);
            }
            collector.Add(ts, labels, "x"u8, metadata);
        }

        var page = ExportCollector.ToPage([collector], backward: false, limit: 10, new ReadStats());

        Assert.Equal(3, page.Labels.Length);
        Assert.Equal(
            ["{app=\"api\", detected_level=\"info\"}", "{app=\"api\", detected_level=\"error\"}", "{app=\"api\", detected_level=\"info\"}", "{app=\"api\"}", "{app=\"api\", detected_level=\"info\"}", "{app=\"api\"}"],
            page.LabelIds.Select(id => page.Labels[id]));
        Assert.Equal(["detected_level", "info"], page.StructuredMetadata[page.LabelIds[0]]!);
        Assert.Null(page.StructuredMetadata[page.LabelIds[3]]);
        Assert.Equal(["app", "api"], page.StreamLabels[page.LabelIds[1]]);
    }
}
