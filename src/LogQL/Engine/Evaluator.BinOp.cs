using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Engine;

internal sealed partial class Evaluator
{
    private StepData BinOp(BinOpExpr b, StepData left, StepData right)
    {
        if (left.Scalar is { } ls && right.Scalar is { } rs)
        {
            return new StepData(ScalarMath.Apply(b.Op, ls, rs), null);
        }
        var result = new List<StepSample>[steps.Length];
        for (var i = 0; i < steps.Length; i++)
        {
            if (left.Scalar is { } l)
            {
                result[i] = ScalarVector(b, right.Vectors![i], l, scalarOnLeft: true);
            }
            else if (right.Scalar is { } r)
            {
                result[i] = ScalarVector(b, left.Vectors![i], r, scalarOnLeft: false);
            }
            else if (b.Op.IsSetOperator())
            {
                result[i] = SetOp(b, left.Vectors![i], right.Vectors![i]);
            }
            else
            {
                result[i] = VectorVector(b, left.Vectors![i], right.Vectors![i]);
            }
        }
        return new StepData(null, result);
    }

    private static List<StepSample> ScalarVector(BinOpExpr b, List<StepSample> vector, double scalar, bool scalarOnLeft)
    {
        var output = new List<StepSample>(vector.Count);
        foreach (var s in vector)
        {
            var (l, r) = scalarOnLeft ? (scalar, s.Value) : (s.Value, scalar);
            if (b.Op.IsComparison() && !b.Options.ReturnBool)
            {
                // A filtering comparison keeps the vector's sample unchanged.
                if (ScalarMath.Compare(b.Op, l, r))
                {
                    output.Add(s);
                }
                continue;
            }
            output.Add(s with { Value = ScalarMath.Apply(b.Op, l, r) });
        }
        return output;
    }

    private static string Signature(KeyValuePair<string, string>[] labels, VectorMatching m) =>
        LabelSet.Format(m.On ? LabelSet.Keep(labels, m.MatchingLabels) : LabelSet.Drop(labels, m.MatchingLabels));

    private static List<StepSample> SetOp(BinOpExpr b, List<StepSample> left, List<StepSample> right)
    {
        var m = b.Options.Matching;
        var rightSigs = right.Select(s => Signature(s.Labels, m)).ToHashSet(StringComparer.Ordinal);
        switch (b.Op)
        {
            case BinaryOp.And:
                return left.Where(s => rightSigs.Contains(Signature(s.Labels, m))).ToList();
            case BinaryOp.Unless:
                return left.Where(s => !rightSigs.Contains(Signature(s.Labels, m))).ToList();
            default:
                {
                    var leftSigs = left.Select(s => Signature(s.Labels, m)).ToHashSet(StringComparer.Ordinal);
                    var output = new List<StepSample>(left);
                    output.AddRange(right.Where(s => !leftSigs.Contains(Signature(s.Labels, m))));
                    return output;
                }
        }
    }

    private static List<StepSample> VectorVector(BinOpExpr b, List<StepSample> left, List<StepSample> right)
    {
        var m = b.Options.Matching;
        var oneToMany = m.Card == VectorMatchCardinality.OneToMany;
        var (many, one) = oneToMany ? (right, left) : (left, right);
        var oneSide = new Dictionary<string, StepSample>(StringComparer.Ordinal);
        foreach (var s in one)
        {
            var sig = Signature(s.Labels, m);
            if (!oneSide.TryAdd(sig, s))
            {
                // Loki's text (its engine names no series, unlike Prometheus').
                throw new QueryException(
                    $"found duplicate series on the {(oneToMany ? "left" : "right")} hand-side;many-to-many matching not allowed: matching labels must be unique on one side");
            }
        }
        var matched = new HashSet<string>(StringComparer.Ordinal);
        var produced = new HashSet<string>(StringComparer.Ordinal);
        var output = new List<StepSample>();
        foreach (var s in many)
        {
            var sig = Signature(s.Labels, m);
            if (!oneSide.TryGetValue(sig, out var other))
            {
                continue;
            }
            if (m.Card == VectorMatchCardinality.OneToOne && !matched.Add(sig))
            {
                throw new QueryException(LokiErrors.ManyToOneMustBeExplicit);
            }
            var (l, r) = oneToMany ? (other.Value, s.Value) : (s.Value, other.Value);
            double value;
            if (b.Op.IsComparison() && !b.Options.ReturnBool)
            {
                if (!ScalarMath.Compare(b.Op, l, r))
                {
                    continue;
                }
                value = l;
            }
            else
            {
                value = ScalarMath.Apply(b.Op, l, r);
            }
            var labels = s.Labels;
            if (m.Card == VectorMatchCardinality.OneToOne)
            {
                labels = m.On ? LabelSet.Keep(labels, m.MatchingLabels) : LabelSet.Drop(labels, m.MatchingLabels);
            }
            foreach (var name in m.Include)
            {
                labels = LabelSet.Set(labels, name, LabelSet.Get(other.Labels, name) ?? "");
            }
            var result = StepSample.Of(labels, value);
            if (!produced.Add(result.Key))
            {
                throw new QueryException(LokiErrors.GroupingNotUnique);
            }
            output.Add(result);
        }
        return output;
    }
}
