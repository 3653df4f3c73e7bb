using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>Range aggregation functions over the samples of one window (t-range, t].</summary>
internal static class RangeFunctions
{
    public static double? Apply(RangeOp op, ReadOnlySpan<SamplePoint> w, double? param, long rangeNs, long windowEndNs)
    {
        var seconds = rangeNs / 1e9;
        switch (op)
        {
            case RangeOp.CountOverTime:
                return w.Length;
            case RangeOp.Rate:
                // Loki divides the count (or unwrapped sum) by the range: no extrapolation.
                return Sum(w) / seconds;
            case RangeOp.BytesOverTime or RangeOp.SumOverTime:
                return Sum(w);
            case RangeOp.BytesRate:
                return Sum(w) / seconds;
            case RangeOp.AvgOverTime:
                return Sum(w) / w.Length;
            case RangeOp.MinOverTime:
                {
                    var m = double.NaN;
                    foreach (var s in w)
                    {
                        if (double.IsNaN(m) || s.Value < m)
                        {
                            m = s.Value;
                        }
                    }
                    return m;
                }
            case RangeOp.MaxOverTime:
                {
                    var m = double.NaN;
                    foreach (var s in w)
                    {
                        if (double.IsNaN(m) || s.Value > m)
                        {
                            m = s.Value;
                        }
                    }
                    return m;
                }
            case RangeOp.StdvarOverTime:
                return Variance(w);
            case RangeOp.StddevOverTime:
                return Math.Sqrt(Variance(w));
            case RangeOp.QuantileOverTime:
                {
                    var values = new double[w.Length];
                    for (var i = 0; i < w.Length; i++)
                    {
                        values[i] = w[i].Value;
                    }
                    return Quantile(param ?? 0, values);
                }
            case RangeOp.FirstOverTime:
                return w[0].Value;
            case RangeOp.LastOverTime:
                return w[^1].Value;
            case RangeOp.RateCounter:
                return ExtrapolatedRate(w, rangeNs, windowEndNs);
            default:
                return null;
        }
    }

    private static double Sum(ReadOnlySpan<SamplePoint> w)
    {
        var sum = 0.0;
        foreach (var s in w)
        {
            sum += s.Value;
        }
        return sum;
    }

    // Population variance (divides by n), as Prometheus' stdvar_over_time.
    private static double Variance(ReadOnlySpan<SamplePoint> w)
    {
        double mean = 0, m2 = 0;
        var n = 0;
        foreach (var s in w)
        {
            n++;
            var delta = s.Value - mean;
            mean += delta / n;
            m2 += delta * (s.Value - mean);
        }
        return m2 / n;
    }

    /// <summary>Prometheus' quantile: linear interpolation between the closest ranks of the sorted values.</summary>
    public static double Quantile(double q, double[] values)
    {
        if (values.Length == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        Array.Sort(values);
        var n = values.Length;
        var rank = q * (n - 1);
        var lower = Math.Max(0, (int)Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return (values[lower] * (1 - weight)) + (values[upper] * weight);
    }

    // Prometheus' extrapolatedRate for counters (rate_counter): handles resets and extrapolates to the window edges.
    private static double? ExtrapolatedRate(ReadOnlySpan<SamplePoint> w, long rangeNs, long windowEndNs)
    {
        if (w.Length < 2)
        {
            return null;
        }
        var result = w[^1].Value - w[0].Value;
        for (var i = 1; i < w.Length; i++)
        {
            if (w[i].Value < w[i - 1].Value)
            {
                result += w[i - 1].Value;
            }
        }
        var rangeStart = windowEndNs - rangeNs;
        var durationToStart = (w[0].TimestampNs - rangeStart) / 1e9;
        var durationToEnd = (windowEndNs - w[^1].TimestampNs) / 1e9;
        var sampled = (w[^1].TimestampNs - w[0].TimestampNs) / 1e9;
        var averageBetween = sampled / (w.Length - 1);
        if (result > 0 && w[0].Value >= 0)
        {
            var durationToZero = sampled * (w[0].Value / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        var threshold = averageBetween * 1.1;
        var extrapolateTo = sampled;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
        result *= extrapolateTo / sampled;
        return result / (rangeNs / 1e9);
    }
}
