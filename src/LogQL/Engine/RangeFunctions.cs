using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>Range aggregation functions over the samples of one window (t-range, t].</summary>
internal static class RangeFunctions
{
    public static double? Apply(RangeOp op, ReadOnlySpan<SamplePoint> w, double? param, long rangeNs)
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
                return ExtrapolatedRate(w, rangeNs);
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

    /// <summary>
    /// Loki's <c>rate_counter</c> (pkg/logql/range_vector.go <c>extrapolatedRate</c>, counter, per second), exactly as
    /// Loki computes it: fewer than two samples give 0; the range start is taken as the first sample minus the range
    /// and the range end as the last sample, and the sample timestamps are nanoseconds where the Prometheus original
    /// has milliseconds, so the sampled interval is 10⁶ times the range's scale. The extrapolation therefore adds
    /// about the whole range to the sampled interval only when the samples are packed closer than that, as Loki.
    /// </summary>
    private static double? ExtrapolatedRate(ReadOnlySpan<SamplePoint> w, long rangeNs)
    {
        if (w.Length < 2)
        {
            return 0;
        }
        var rangeMs = rangeNs / 1_000_000;
        var rangeStart = w[0].TimestampNs - rangeMs;
        var rangeEnd = w[^1].TimestampNs;
        var result = w[^1].Value - w[0].Value;
        var lastValue = 0.0;
        foreach (var s in w)
        {
            if (s.Value < lastValue)
            {
                result += lastValue;
            }
            lastValue = s.Value;
        }
        var durationToStart = (double)(w[0].TimestampNs - rangeStart) / 1000;
        var durationToEnd = (double)(rangeEnd - w[^1].TimestampNs) / 1000;
        var sampled = (double)(w[^1].TimestampNs - w[0].TimestampNs) / 1000;
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
