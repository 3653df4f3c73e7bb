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
                return [.. input.OrderByDescending(s => double.IsNaN(s.Value) ? double.NegativeInfinity : s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)];
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
                case VectorOp.Topk or VectorOp.Bottomk:
                    {
                        var ordered = a.Operation == VectorOp.Topk
                            ? members.OrderByDescending(s => double.IsNaN(s.Value) ? double.NegativeInfinity : s.Value)
                            : members.OrderBy(s => double.IsNaN(s.Value) ? double.PositiveInfinity : s.Value);
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

    private static double Reduce(VectorOp op, List<StepSample> members)
    {
        switch (op)
        {
            case VectorOp.Sum:
                return members.Sum(s => s.Value);
            case VectorOp.Avg:
                return members.Average(s => s.Value);
            case VectorOp.Count:
                return members.Count;
            case VectorOp.Min:
                return members.Select(s => s.Value).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();
            case VectorOp.Max:
                return members.Select(s => s.Value).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
            case VectorOp.Stdvar or VectorOp.Stddev:
                {
                    var mean = members.Average(s => s.Value);
                    var variance = members.Sum(s => (s.Value - mean) * (s.Value - mean)) / members.Count;
                    return op == VectorOp.Stddev ? Math.Sqrt(variance) : variance;
                }
            default:
                throw new QueryException($"unsupported aggregation {op.Name()}");
        }
    }

    private sealed class NaNLast : IComparer<double>
    {
        public static readonly NaNLast Instance = new();

        public int Compare(double x, double y) => double.IsNaN(x) ? (double.IsNaN(y) ? 0 : 1) : double.IsNaN(y) ? -1 : x.CompareTo(y);
    }
}
