using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

internal sealed partial class Evaluator
{
    private static StepData Aggregate(VectorAggregationExpr a, List<StepSample>[] vectors)
    {
        var result = new List<StepSample>[vectors.Length];
        for (var i = 0; i < vectors.Length; i++)
        {
            result[i] = AggregateStep(a, vectors[i]);
        }
        return new StepData(null, result);
    }

    private static List<StepSample> AggregateStep(VectorAggregationExpr a, List<StepSample> input)
    {
        switch (a.Operation)
        {
            case VectorOp.Sort:
                return [.. input.OrderBy(s => s.Value, NaNLast.Instance).ThenBy(s => s.Key, StringComparer.Ordinal)];
            case VectorOp.SortDesc:
                // NaN last in both directions, as Loki's heaps order them.
                return [.. input.OrderBy(s => s.Value, NaNLastDescending.Instance).ThenBy(s => s.Key, StringComparer.Ordinal)];
        }
        var groups = new Dictionary<string, (KeyValuePair<string, string>[] Labels, List<StepSample> Members)>(StringComparer.Ordinal);
        foreach (var s in input)
        {
            var labels = LabelSet.Group(s.Labels, a.Grouping);
            var key = LabelSet.Format(labels);
            if (!groups.TryGetValue(key, out var g))
            {
                g = (labels, []);
                groups.Add(key, g);
            }
            g.Members.Add(s);
        }
        var output = new List<StepSample>(groups.Count);
        foreach (var (key, (labels, members)) in groups)
        {
            switch (a.Operation)
            {
                case VectorOp.Topk or VectorOp.Bottomk or VectorOp.ApproxTopk:
                    {
                        // NaN ranks below every number for topk and above every number for bottomk (Loki's heaps).
                        var ordered = a.Operation is VectorOp.Topk or VectorOp.ApproxTopk
                            ? members.OrderBy(s => s.Value, NaNLastDescending.Instance)
                            : members.OrderBy(s => s.Value, NaNLast.Instance);
                        output.AddRange(ordered.ThenBy(s => s.Key, StringComparer.Ordinal).Take(a.Parameter));
                        continue;
                    }
                default:
                    output.Add(new StepSample(labels, key, Reduce(a.Operation, members)));
                    continue;
            }
        }
        return output;
    }

    /// <summary>
    /// One group's value, in Loki's order of operations (so rounding, ±Inf and NaN come out as Loki's): a running sum;
    /// a running mean that an infinity of the same sign (or a finite value) leaves infinite; max/min replace a NaN by
    /// any value; stddev/stdvar by Welford's method.
    /// </summary>
    private static double Reduce(VectorOp op, List<StepSample> members)
    {
        var first = members[0].Value;
        switch (op)
        {
            case VectorOp.Sum:
                {
                    var sum = first;
                    for (var i = 1; i < members.Count; i++)
                    {
                        sum += members[i].Value;
                    }
                    return sum;
                }
            case VectorOp.Avg:
                {
                    var mean = first;
                    for (var i = 1; i < members.Count; i++)
                    {
                        var v = members[i].Value;
                        if (double.IsInfinity(mean) && ((double.IsInfinity(v) && (mean > 0) == (v > 0)) || (!double.IsInfinity(v) && !double.IsNaN(v))))
                        {
                            continue;
                        }
                        mean += (v - mean) / (i + 1);
                    }
                    return mean;
                }
            case VectorOp.Count:
                return members.Count;
            case VectorOp.Min or VectorOp.Max:
                {
                    var value = first;
                    for (var i = 1; i < members.Count; i++)
                    {
                        var v = members[i].Value;
                        if (double.IsNaN(value) || (op == VectorOp.Max ? value < v : value > v))
                        {
                            value = v;
                        }
                    }
                    return value;
                }
            case VectorOp.Stdvar or VectorOp.Stddev:
                {
                    double mean = first, m2 = 0;
                    for (var i = 1; i < members.Count; i++)
                    {
                        var v = members[i].Value;
                        var delta = v - mean;
                        mean += delta / (i + 1);
                        m2 += delta * (v - mean);
                    }
                    var variance = m2 / members.Count;
                    return op == VectorOp.Stddev ? Math.Sqrt(variance) : variance;
                }
            default:
                throw new QueryException($"unsupported aggregation {op.Name()}");
        }
    }

    private sealed class NaNLastDescending : IComparer<double>
    {
        public static readonly NaNLastDescending Instance = new();

        public int Compare(double x, double y) => double.IsNaN(x) ? (double.IsNaN(y) ? 0 : 1) : double.IsNaN(y) ? -1 : y.CompareTo(x);
    }

    private sealed class NaNLast : IComparer<double>
    {
        public static readonly NaNLast Instance = new();

        public int Compare(double x, double y) => double.IsNaN(x) ? (double.IsNaN(y) ? 0 : 1) : double.IsNaN(y) ? -1 : x.CompareTo(y);
    }
}
