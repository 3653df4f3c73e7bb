using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>Evaluates a metric expression at every step, fetching samples of range aggregations from the querier.</summary>
internal sealed partial class Evaluator(ILogQuerier querier, long[] steps, CancellationToken ct)
{
    public long SamplesFetched { get; private set; }

    public async Task<StepData> EvalAsync(SampleExpr expr) => expr switch
    {
        LiteralExpr l => new StepData(l.Value, null),
        VectorExpr v => new StepData(null, steps.Select(_ => new List<StepSample> { StepSample.Of([], v.Value) }).ToArray()),
        RangeAggregationExpr r => await EvalRangeAsync(r, null).ConfigureAwait(false),
        VectorAggregationExpr { Left: RangeAggregationExpr r } a => Aggregate(a, AsVectors(await EvalRangeAsync(r, a).ConfigureAwait(false))),
        VectorAggregationExpr a => Aggregate(a, AsVectors(await EvalAsync(a.Left).ConfigureAwait(false))),
        BinOpExpr b => BinOp(b, await EvalAsync(b.Left).ConfigureAwait(false), await EvalAsync(b.Right).ConfigureAwait(false)),
        LabelReplaceExpr lr => LabelReplace(lr, AsVectors(await EvalAsync(lr.Left).ConfigureAwait(false))),
        _ => throw new QueryException($"unsupported expression {expr}"),
    };

    private List<StepSample>[] AsVectors(StepData d) =>
        d.Vectors ?? steps.Select(_ => new List<StepSample> { StepSample.Of([], d.Scalar!.Value) }).ToArray();

    private async Task<StepData> EvalRangeAsync(RangeAggregationExpr r, VectorAggregationExpr? parent)
    {
        var range = r.Left.RangeNs;
        var offset = r.Left.OffsetNs;
        // Windows are (t - offset - range, t - offset]: fetch [first + 1, last + 1).
        var p = new SelectSampleParams(r, steps[0] - offset - range + 1, steps[^1] - offset + 1)
        {
            RequiredLabels = ParserHintPlanner.RequiredLabels(r, parent),
            WindowSteps = AdditiveWindows(r),
            Grouping = ParserHintPlanner.SeriesGrouping(r, parent),
        };
        var merged = new Dictionary<string, SampleSeries>(StringComparer.Ordinal);
        await foreach (var s in querier.SelectSamplesAsync(p, ct).ConfigureAwait(false))
        {
            if (LabelSet.Get(s.Labels, PipelineErrors.ErrorLabel) is { } error)
            {
                throw new QueryException(PipelineError(error, s.LabelsString));
            }
            var labels = r.Grouping is null ? s.Labels : LabelSet.Group(s.Labels, r.Grouping);
            var key = r.Grouping is null ? s.LabelsString : LabelSet.Format(labels);
            if (merged.TryGetValue(key, out var existing))
            {
                if (existing.PerWindow != s.PerWindow)
                {
                    throw new InvalidOperationException($"the data source mixed samples and window sums for series {key}");
                }
                existing.Samples.AddRange(s.Samples);
            }
            else
            {
                merged.Add(key, new SampleSeries(labels, key, [.. s.Samples]) { PerWindow = s.PerWindow });
            }
            SamplesFetched += s.Samples.Count;
        }
        var result = steps.Select(_ => new List<StepSample>()).ToArray();
        var anyInWindow = new bool[steps.Length];
        foreach (var series in merged.Values)
        {
            if (series.PerWindow)
            {
                AddWindowSums(r, series, result);
                continue;
            }
            // Ties by value: sums then add in one order however the samples were sharded or merged.
            series.Samples.Sort(static (a, b) => a.TimestampNs != b.TimestampNs ? a.TimestampNs.CompareTo(b.TimestampNs) : a.Value.CompareTo(b.Value));
            var samples = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(series.Samples);
            int lo = 0, hi = 0;
            for (var i = 0; i < steps.Length; i++)
            {
                var end = steps[i] - offset;
                while (hi < samples.Length && samples[hi].TimestampNs <= end)
                {
                    hi++;
                }
                while (lo < hi && samples[lo].TimestampNs <= end - range)
                {
                    lo++;
                }
                if (hi <= lo)
                {
                    continue;
                }
                anyInWindow[i] = true;
                if (r.Operation == RangeOp.AbsentOverTime)
                {
                    continue;
                }
                if (RangeFunctions.Apply(r.Operation, samples[lo..hi], r.Parameter, range) is { } v)
                {
                    result[i].Add(new StepSample(series.Labels, series.LabelsString, v));
                }
            }
        }
        if (r.Operation == RangeOp.AbsentOverTime)
        {
            var labels = AbsentLabels(r.Left.Left);
            for (var i = 0; i < steps.Length; i++)
            {
                if (!anyInWindow[i])
                {
                    result[i].Add(StepSample.Of(labels, 1));
                }
            }
        }
        return new StepData(null, result);
    }

    // As Prometheus' absent(): the labels of equality matchers, dropping names matched more than once.
    private static KeyValuePair<string, string>[] AbsentLabels(LogSelectorExpr selector)
    {
        var seen = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var m in selector.Matchers)
        {
            if (m.Type == LabelMatchType.Equal)
            {
                seen[m.Name] = seen.ContainsKey(m.Name) ? null : m.Value;
            }
        }
        return seen.Where(kv => kv.Value is not null).Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value!))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
    }

    internal static string PipelineError(string error, string series) =>
        $"pipeline error: '{error}' for series: '{series}'.\n" +
        "Use a label filter to intercept this error.\n" +
        $"(e.g `| __error__!=\"{error}\"`)\n" +
        "To skip all potential errors you can match empty errors.(e.g `| __error__=\"\"`)\n" +
        "The label filter can also be specified after unwrap. (e.g `| unwrap latency | __error__=\"\" `)\n" +
        "See https://grafana.com/docs/loki/latest/logql/#pipeline-errors for more details.";

    private static StepData LabelReplace(LabelReplaceExpr lr, List<StepSample>[] vectors)
    {
        GoRegex.TryCompileReplace(lr.Regex, out var re, out _);
        var result = new List<StepSample>[vectors.Length];
        for (var i = 0; i < vectors.Length; i++)
        {
            result[i] = new List<StepSample>(vectors[i].Count);
            foreach (var s in vectors[i])
            {
                var m = re!.Match(LabelSet.Get(s.Labels, lr.Src) ?? "");
                if (!m.Success)
                {
                    result[i].Add(s);
                    continue;
                }
                var labels = LabelSet.Set(s.Labels, lr.Dst, re.Expand(m, lr.Replacement));
                result[i].Add(StepSample.Of(labels, s.Value));
            }
        }
        return new StepData(null, result);
    }
}
