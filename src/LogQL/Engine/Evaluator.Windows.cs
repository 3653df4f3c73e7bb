using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>Range aggregations whose window values the data source may pre-aggregate.</summary>
internal sealed partial class Evaluator
{
    /// <summary>
    /// The steps to hand to the data source when a window's value is a count or a sum of integral values: those sums
    /// are exact in any order of addition, so sums computed per shard add up to exactly the value over all samples.
    /// Null for every other function (floating-point sums, min/max, quantiles…) and for unevenly spaced steps.
    /// </summary>
    private StepRange? AdditiveWindows(RangeAggregationExpr r)
    {
        if (r.Left.Unwrap is not null || r.Operation is not (RangeOp.CountOverTime or RangeOp.Rate or RangeOp.BytesOverTime or RangeOp.BytesRate))
        {
            return null;
        }
        var step = steps.Length > 1 ? steps[1] - steps[0] : 1;
        for (var i = 1; i < steps.Length; i++)
        {
            if (steps[i] - steps[i - 1] != step || step <= 0)
            {
                return null;
            }
        }
        return new StepRange(steps[0], step, steps.Length);
    }

    /// <summary>Adds the window sums of a <see cref="SampleSeries.PerWindow"/> series into the step vectors.</summary>
    private void AddWindowSums(RangeAggregationExpr r, SampleSeries series, List<StepSample>[] result)
    {
        var seconds = r.Left.RangeNs / 1e9;
        var offset = r.Left.OffsetNs;
        series.Samples.Sort(static (a, b) => a.TimestampNs.CompareTo(b.TimestampNs));
        var points = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(series.Samples);
        var p = 0;
        for (var i = 0; i < steps.Length && p < points.Length; i++)
        {
            var end = steps[i] - offset;
            while (p < points.Length && points[p].TimestampNs < end)
            {
                // A window end that is no step's: the source answered other steps; nothing in this query reads it.
                p++;
            }
            if (p >= points.Length || points[p].TimestampNs != end)
            {
                continue;
            }
            var sum = 0.0;
            while (p < points.Length && points[p].TimestampNs == end)
            {
                sum += points[p].Value;
                p++;
            }
            var value = r.Operation is RangeOp.Rate or RangeOp.BytesRate ? sum / seconds : sum;
            result[i].Add(new StepSample(series.Labels, series.LabelsString, value));
        }
    }
}
